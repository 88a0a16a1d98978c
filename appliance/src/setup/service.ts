import { isSupportedCountry } from 'libphonenumber-js/max';
import type { Config } from '../config/index.ts';
import type { EventBus } from '../events/index.ts';
import type { DocStore } from '../storage/index.ts';
import { invalidField } from './errors.ts';
import {
  type BranchSettings,
  CONSOLE_LANGUAGES,
  SETUP_STEPS,
  type SettingSource,
  type SetupDoc,
  type SetupStep,
  type StepState,
  type WidgetLook,
} from './types.ts';

const DOC_ID = 'setup';

/** The wizard's progress and the branch settings in force, each with where its value comes from. */
import type { SetupView } from '../contracts/index.ts';

export type { SetupView };

const DEFAULT_WIDGET: WidgetLook = { greeting: '', colour: '#1f6feb' };
const ENV_OF: Partial<Record<keyof BranchSettings, string>> = {
  branchId: 'BRANCHLINE_BRANCH_ID',
  timeZone: 'BRANCHLINE_TIMEZONE',
  phoneRegion: 'BRANCHLINE_PHONE_REGION',
};

function checkBranch(b: BranchSettings): BranchSettings {
  const name = b.name.trim();
  if (name.length < 1 || name.length > 100) throw invalidField('name', 'must be 1-100 characters');
  if (!/^[A-Za-z0-9_]{1,32}$/.test(b.branchId))
    throw invalidField('branchId', 'must be 1-32 letters, digits or _');
  if (!(CONSOLE_LANGUAGES as readonly string[]).includes(b.language))
    throw invalidField('language', `must be one of ${CONSOLE_LANGUAGES.join(', ')}`);
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: b.timeZone });
  } catch {
    throw invalidField('timeZone', `"${b.timeZone}" is not an IANA time zone`);
  }
  const region = b.phoneRegion.trim().toUpperCase();
  if (!isSupportedCountry(region))
    throw invalidField('phoneRegion', `"${b.phoneRegion}" is not a region code`);
  return { ...b, name, phoneRegion: region };
}

function checkWidget(w: WidgetLook): WidgetLook {
  if (w.greeting.length > 300) throw invalidField('greeting', 'must be at most 300 characters');
  if (!/^#[0-9a-fA-F]{6}$/.test(w.colour)) throw invalidField('colour', 'must be a colour like #1f6feb');
  const privacy = w.privacy?.trim() ?? '';
  if (privacy.length > 1000) throw invalidField('privacy', 'must be at most 1000 characters');
  return { greeting: w.greeting.trim(), colour: w.colour.toLowerCase(), ...(privacy ? { privacy } : {}) };
}

/**
 * The first-run wizard's server side: which steps are done or skipped (so a
 * wizard can be left and resumed), the branch settings it stores and the
 * widget's look. Every change is a domain event, so the audit log records it.
 * A branch setting the environment sets wins over the stored one.
 */
export class SetupService {
  #store: DocStore;
  #bus: EventBus;
  #config: Config;
  #doc: SetupDoc = { steps: {} };
  #rev: string | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  #onBranch: ((view: SetupView) => void) | undefined;

  constructor(
    store: DocStore,
    options: {
      bus: EventBus;
      config: Config;
      /** Applies the branch settings in force at runtime: called on open and after each branch save. */
      onBranch?: (view: SetupView) => void;
    },
  ) {
    this.#store = store;
    this.#bus = options.bus;
    this.#config = options.config;
    this.#onBranch = options.onBranch;
  }

  async open(): Promise<void> {
    const d = await this.#store.get<SetupDoc>(DOC_ID);
    if (d) {
      this.#doc = {
        steps: d.steps ?? {},
        ...(d.branch ? { branch: d.branch } : {}),
        ...(d.widget ? { widget: d.widget } : {}),
      };
      this.#rev = d._rev;
    }
    this.#onBranch?.(this.view());
  }

  /** The branch settings in force: environment, else what the wizard stored, else the defaults. */
  branch(): { value: BranchSettings; sources: Record<keyof BranchSettings, SettingSource> } {
    const stored = this.#doc.branch;
    const pinned = new Set(this.#config.pinnedByEnvironment ?? []);
    const fromConfig: Pick<BranchSettings, 'branchId' | 'timeZone' | 'phoneRegion'> = {
      branchId: this.#config.branchId,
      timeZone: this.#config.timeZone,
      phoneRegion: this.#config.phoneRegion,
    };
    const pick = <K extends keyof BranchSettings>(k: K, fallback: BranchSettings[K]) => {
      const env = ENV_OF[k];
      if (env && pinned.has(env)) return { v: (fromConfig as BranchSettings)[k], s: 'environment' as const };
      if (stored) return { v: stored[k], s: 'wizard' as const };
      return { v: fallback, s: 'default' as const };
    };
    const name = pick('name', '');
    const branchId = pick('branchId', fromConfig.branchId);
    const language = pick('language', 'zh-CN');
    const timeZone = pick('timeZone', fromConfig.timeZone);
    const phoneRegion = pick('phoneRegion', fromConfig.phoneRegion);
    return {
      value: {
        name: name.v,
        branchId: branchId.v,
        language: language.v,
        timeZone: timeZone.v,
        phoneRegion: phoneRegion.v,
      },
      sources: {
        name: name.s,
        branchId: branchId.s,
        language: language.s,
        timeZone: timeZone.s,
        phoneRegion: phoneRegion.s,
      },
    };
  }

  view(): SetupView {
    const steps = Object.fromEntries(
      SETUP_STEPS.map((s) => [s, this.#doc.steps[s]?.state ?? 'pending']),
    ) as Record<SetupStep, StepState>;
    const { value, sources } = this.branch();
    return {
      steps,
      complete: SETUP_STEPS.every((s) => steps[s] !== 'pending'),
      branch: value,
      sources,
      widget: this.#doc.widget ?? DEFAULT_WIDGET,
    };
  }

  /** Marks a step done or skipped ('pending' reopens it). */
  async setStep(step: SetupStep, state: StepState, actor: string): Promise<SetupView> {
    if (!(SETUP_STEPS as readonly string[]).includes(step))
      throw invalidField('step', `unknown step ${step}`);
    return this.#write(async (doc) => {
      const steps = { ...doc.steps };
      if (state === 'pending') delete steps[step];
      else steps[step] = { state, at: new Date().toISOString(), by: actor };
      return [{ ...doc, steps }, () => this.#bus.publish('setup.step_changed', { step, state }, { actor })];
    });
  }

  async putBranch(input: BranchSettings, actor: string): Promise<SetupView> {
    const b = checkBranch(input);
    const view = await this.#write(async (doc) => [
      { ...doc, branch: b },
      () => this.#bus.publish('setup.branch_changed', { fields: Object.keys(b) }, { actor }),
    ]);
    this.#onBranch?.(view);
    return view;
  }

  /** Greeting and colour; the privacy notice too when given (absent = keep the stored one, as the wizard sends none). */
  async putWidget(input: WidgetLook, actor: string): Promise<SetupView> {
    const kept = this.#doc.widget?.privacy;
    const w = checkWidget(input.privacy === undefined && kept ? { ...input, privacy: kept } : input);
    return this.#write(async (doc) => [
      { ...doc, widget: w },
      () => this.#bus.publish('setup.widget_changed', { fields: Object.keys(w) }, { actor }),
    ]);
  }

  /** One write at a time: the doc is read-modify-written, then its event is published (and audited). */
  #write(change: (doc: SetupDoc) => Promise<[SetupDoc, () => Promise<unknown>]>): Promise<SetupView> {
    const run = this.#queue.then(async () => {
      const [next, publish] = await change(this.#doc);
      const r = await this.#store.put<SetupDoc>({
        ...next,
        _id: DOC_ID,
        ...(this.#rev ? { _rev: this.#rev } : {}),
      });
      this.#rev = r.rev;
      this.#doc = next;
      await publish();
      return this.view();
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }
}
