import { randomUUID } from 'node:crypto';
import { createLogger } from '../logging/index.ts';
import type { TopicStore } from './topic-store.ts';
import type { SourcedText, TopicSources } from './topic-types.ts';

const log = createLogger('analytics');

/** A backfill run as stored (`tmeta:backfill`) and reported. */
export interface BackfillState {
  runId: string;
  status: 'running' | 'done' | 'failed';
  /** What is being walked: conversations by id, then tickets by creation time. */
  phase: 'messages' | 'tickets' | 'done';
  /** Last conversation id / `<createdAt>|ticket:<id>` done in this phase. */
  cursor: string;
  /** Sources counted by this run, and those skipped (counted before, too old, or counted live unmarked). */
  counted: number;
  skipped: number;
  by: string;
  startedAt: string;
  updatedAt: string;
  finishedAt?: string;
  error?: string;
}

export interface BackfillOptions {
  sources: TopicSources;
  /** Counts items through the miner's queue, each source at most once. */
  count: (items: readonly SourcedText[]) => Promise<{ counted: number; skipped: number }>;
  now: () => Date;
  /** Conversations (or tickets) read and counted per step, the cursor saved after each (default 20). */
  page?: number;
}

/**
 * Walks existing conversation messages and ticket subjects into the topic
 * counts, a page at a time, saving a cursor after each page so a restart
 * carries on where it stopped. Pages already counted when a crash came are
 * harmless to redo: every source is marked counted in the same write as its
 * terms. A run is audited once, when it starts, before anything is read.
 */
export class TopicBackfill {
  #store: TopicStore;
  #opts: BackfillOptions;
  #running: Promise<void> | undefined;
  #lock: Promise<unknown> = Promise.resolve();
  #rev: string | undefined;
  #closed = false;

  constructor(store: TopicStore, options: BackfillOptions) {
    this.#store = store;
    this.#opts = options;
  }

  async state(): Promise<BackfillState | undefined> {
    const doc = await this.#store.meta<BackfillState>('backfill');
    if (!doc) return undefined;
    const { _id, _rev, ...state } = doc;
    return state;
  }

  /** Starts a run, or returns the one running; a failed run is continued from its cursor. */
  start(by: { userId: string; source?: string }): Promise<BackfillState> {
    // Serialised so two clicks cannot start two runs.
    const next = this.#lock.then(() => this.#start(by));
    this.#lock = next.catch(() => undefined);
    return next;
  }

  async #start(by: { userId: string; source?: string }): Promise<BackfillState> {
    const prev = await this.state();
    if (prev?.status === 'running') {
      this.resume();
      return prev;
    }
    const record = this.#opts.sources.recordRead;
    if (!record) throw new TypeError('Cannot backfill topics: no audit recorder was given');
    const at = this.#opts.now().toISOString();
    const failed = prev?.status === 'failed' ? prev : undefined;
    const state: BackfillState = {
      runId: randomUUID(),
      status: 'running',
      phase: failed?.phase ?? 'messages',
      cursor: failed?.cursor ?? '',
      counted: 0,
      skipped: 0,
      by: by.userId,
      startedAt: at,
      updatedAt: at,
    };
    // One record for the whole run's reads, written before the first one.
    await record({
      actor: by.userId,
      target: `analytics:topics_backfill:${state.runId}`,
      action: 'analytics.topics_backfill',
      ...(by.source === undefined ? {} : { source: by.source }),
    });
    this.#rev = (await this.#store.meta<BackfillState>('backfill'))?._rev;
    await this.#save(state);
    this.#launch(state);
    return state;
  }

  /** Continues a run a restart interrupted (no new audit record: the run was recorded). Idempotent. */
  resume(): void {
    if (this.#running || this.#closed) return;
    this.#launch(undefined);
  }

  #launch(given: BackfillState | undefined): void {
    this.#running = (async () => {
      const doc = given ? undefined : await this.#store.meta<BackfillState>('backfill');
      if (doc) this.#rev = doc._rev;
      const state = given ?? (doc?.status === 'running' ? (({ _id, _rev, ...s }) => s)(doc) : undefined);
      if (state) await this.#run(state);
    })()
      .catch((err) => log.error('topic backfill stopped', { err }))
      .finally(() => {
        this.#running = undefined;
      });
  }

  async #run(state: BackfillState): Promise<void> {
    const src = this.#opts.sources;
    let list: string[] | undefined;
    let tickets: Map<string, SourcedText> | undefined;
    let i = -1;
    try {
      while (!this.#closed) {
        let page: SourcedText[] = [];
        let keys: string[] = [];
        if (state.phase === 'messages' && src.conversations && src.messagesOf) {
          list ??= [...new Set(await src.conversations())].sort();
          if (i < 0) i = state.cursor ? list.findIndex((c) => c > state.cursor) : 0;
          keys = i < 0 ? [] : list.slice(i, i + (this.#opts.page ?? 20));
          for (const c of keys) page.push(...(await src.messagesOf(c)));
        } else if (state.phase !== 'done' && src.allTickets) {
          if (state.phase === 'messages') Object.assign(state, { phase: 'tickets', cursor: '' });
          tickets ??= new Map((await src.allTickets()).map((t) => [`${t.at}|${t.source}`, t]));
          list = [...tickets.keys()].sort();
          if (i < 0) i = state.cursor ? list.findIndex((k) => k > state.cursor) : 0;
          keys = i < 0 ? [] : list.slice(i, i + (this.#opts.page ?? 20));
          page = keys.map((k) => tickets?.get(k) as SourcedText);
        }
        if (keys.length === 0) {
          if (state.phase === 'messages') Object.assign(state, { phase: 'tickets', cursor: '' });
          else
            Object.assign(state, {
              phase: 'done',
              status: 'done',
              finishedAt: this.#opts.now().toISOString(),
            });
          i = -1;
          list = undefined;
          await this.#save(state);
          if (state.status === 'done') break;
          continue;
        }
        const r = await this.#opts.count(page);
        i += keys.length;
        state.counted += r.counted;
        state.skipped += r.skipped;
        state.cursor = keys.at(-1) as string;
        await this.#save(state);
      }
      if (state.status === 'done')
        log.info(`topic backfill done [counted:${state.counted}] [skipped:${state.skipped}]`);
    } catch (err) {
      // Closing mid-page leaves the run "running", so the next start continues it.
      if (this.#closed) return;
      await this.#save({
        ...state,
        status: 'failed',
        error: err instanceof Error ? err.message : String(err),
      });
      throw err;
    }
  }

  async #save(state: BackfillState): Promise<void> {
    state.updatedAt = this.#opts.now().toISOString();
    this.#rev = await this.#store.putMeta('backfill', state, this.#rev);
  }

  /** Idempotent. Stops after the current page; the cursor is kept for the next start. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#running;
  }
}
