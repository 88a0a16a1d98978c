import type { EventBus } from '../events/index.ts';
import type { DocStore } from '../storage/index.ts';
import { IntelligenceError } from './errors.ts';
import { DEFAULT_SCORECARD_ID, defaultScorecard, validateRules } from './scorecard-rules.ts';
import type { QaRuleDef, Scorecard } from './types.ts';

export interface ScorecardInput {
  name: string;
  queues: string[];
  rules: QaRuleDef[];
}

const pad = (v: number) => String(v).padStart(6, '0');
type Doc = Scorecard & { _id: string; _rev?: string };
const strip = ({ _id, _rev, ...card }: Doc): Scorecard => card;

/**
 * QA scorecards as data: `qacard:<id>` is the current card, `qacardv:<id>:<version>`
 * every saved version (kept after a delete, so old results still name theirs).
 * A queue belongs to at most one card; the default card scores the rest.
 */
export class Scorecards {
  #db: DocStore;
  #bus: EventBus;
  #now: () => Date;
  #cache = new Map<string, Scorecard>();

  constructor(db: DocStore, options: { bus: EventBus; now?: () => Date }) {
    this.#db = db;
    this.#bus = options.bus;
    this.#now = options.now ?? (() => new Date());
  }

  /** Reads every card; seeds the default card on first start. */
  async load(): Promise<void> {
    this.#cache.clear();
    for (const d of await this.#db.list<Doc>({ prefix: 'qacard:' })) this.#cache.set(d.id, strip(d));
    if (!this.#cache.has(DEFAULT_SCORECARD_ID)) {
      const card = defaultScorecard(this.#now().toISOString());
      await this.#write(card, undefined);
      await this.#bus.publish(
        'intelligence.scorecard_saved',
        { scorecardId: card.id, version: 1, queues: [], rules: card.rules.length },
        { actor: 'system' },
      );
    }
  }

  list(): Scorecard[] {
    return [...this.#cache.values()].sort((a, b) =>
      a.id === DEFAULT_SCORECARD_ID ? -1 : b.id === DEFAULT_SCORECARD_ID ? 1 : a.name.localeCompare(b.name),
    );
  }

  get(id: string): Scorecard {
    const card = this.#cache.get(id);
    if (!card)
      throw new IntelligenceError('INTELLIGENCE_NOT_FOUND', `No scorecard [scorecardId:${id}]`, {
        status: 404,
      });
    return card;
  }

  /** The card for a contact's queue: the one naming it, else the default. */
  forQueue(queue: string | undefined): Scorecard {
    const named = queue ? this.list().find((c) => c.queues.includes(queue)) : undefined;
    return named ?? this.get(DEFAULT_SCORECARD_ID);
  }

  async version(id: string, version: number): Promise<Scorecard> {
    const d = await this.#db.get<Doc>(`qacardv:${id}:${pad(version)}`);
    if (!d)
      throw new IntelligenceError(
        'INTELLIGENCE_NOT_FOUND',
        `No scorecard version [scorecardId:${id}, version:${version}]`,
        {
          status: 404,
        },
      );
    return strip(d);
  }

  async versions(id: string): Promise<Array<Pick<Scorecard, 'version' | 'updatedAt' | 'updatedBy'>>> {
    const docs = await this.#db.list<Doc>({ prefix: `qacardv:${id}:` });
    return docs.map((d) => ({ version: d.version, updatedAt: d.updatedAt, updatedBy: d.updatedBy }));
  }

  /**
   * Creates the card or saves a new version of it. `expectedVersion` (the version
   * the editor started from) refuses a save over someone else's newer one.
   */
  async save(id: string, input: ScorecardInput, actor: string, expectedVersion?: number): Promise<Scorecard> {
    validateRules(input.rules);
    const prior = this.#cache.get(id);
    if (expectedVersion !== undefined && (prior?.version ?? 0) !== expectedVersion)
      throw new IntelligenceError(
        'INTELLIGENCE_SCORECARD_CONFLICT',
        `Scorecard changed meanwhile [scorecardId:${id}]`,
        {
          status: 409,
          details: { scorecardId: id, version: prior?.version ?? 0 },
        },
      );
    const queues = id === DEFAULT_SCORECARD_ID ? [] : [...new Set(input.queues)];
    for (const q of queues) {
      const other = this.list().find((c) => c.id !== id && c.queues.includes(q));
      if (other)
        throw new IntelligenceError(
          'INTELLIGENCE_SCORECARD_CONFLICT',
          `Queue already has a scorecard [queue:${q}]`,
          {
            status: 409,
            details: { queue: q, scorecardId: other.id, name: other.name },
          },
        );
    }
    const card: Scorecard = {
      id,
      name: input.name,
      queues,
      rules: input.rules.map((r) => ({ ...r })),
      version: (prior?.version ?? 0) + 1,
      updatedAt: this.#now().toISOString(),
      updatedBy: actor,
    };
    await this.#write(card, prior);
    await this.#bus.publish(
      'intelligence.scorecard_saved',
      { scorecardId: id, version: card.version, queues, rules: card.rules.length },
      { actor },
    );
    return card;
  }

  async remove(id: string, actor: string): Promise<void> {
    if (id === DEFAULT_SCORECARD_ID)
      throw new IntelligenceError(
        'INTELLIGENCE_SCORECARD_DEFAULT',
        'The default scorecard cannot be deleted',
        {
          status: 409,
        },
      );
    const card = this.get(id);
    const head = await this.#db.get<Doc>(`qacard:${id}`);
    if (head?._rev) await this.#db.remove(head._id, head._rev);
    this.#cache.delete(id);
    await this.#bus.publish(
      'intelligence.scorecard_deleted',
      { scorecardId: id, version: card.version },
      { actor },
    );
  }

  async #write(card: Scorecard, prior: Scorecard | undefined): Promise<void> {
    await this.#db.create({ ...card, _id: `qacardv:${card.id}:${pad(card.version)}` });
    const head = prior ? await this.#db.get<Doc>(`qacard:${card.id}`) : undefined;
    await this.#db.put({ ...card, _id: `qacard:${card.id}`, ...(head?._rev ? { _rev: head._rev } : {}) });
    this.#cache.set(card.id, card);
  }
}
