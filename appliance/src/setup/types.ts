import type { SetupService } from './service.ts';

/** The wizard's steps, in the order the console shows them. */
export const SETUP_STEPS = [
  'branch',
  'hours',
  'queue',
  'agents',
  'voice',
  'webchat',
  'email',
  'wechat',
  'hq',
] as const;
export type SetupStep = (typeof SETUP_STEPS)[number];
export type StepState = 'pending' | 'done' | 'skipped';

export const CONSOLE_LANGUAGES = ['zh-CN', 'en'] as const;
export type ConsoleLanguage = (typeof CONSOLE_LANGUAGES)[number];

/** What the wizard's first step stores about the branch. */
export interface BranchSettings {
  name: string;
  branchId: string;
  language: ConsoleLanguage;
  timeZone: string;
  phoneRegion: string;
}

/** Widget looks the embed snippet carries (origins live in webchat's own settings). */
export interface WidgetLook {
  greeting: string;
  colour: string;
}

export interface StepRecord {
  state: Exclude<StepState, 'pending'>;
  at: string;
  by: string;
}

/** The one stored document of the setup context. */
export interface SetupDoc {
  steps: Partial<Record<SetupStep, StepRecord>>;
  branch?: BranchSettings;
  widget?: WidgetLook;
}

/** Where a branch setting's value in force comes from: the environment wins over the wizard. */
export type SettingSource = 'environment' | 'wizard' | 'default';

declare module '../modules.ts' {
  interface Services {
    setup: SetupService;
  }
}

declare module '../events/catalogue.ts' {
  interface EventCatalogue {
    'setup.step_changed': { step: SetupStep; state: StepState };
    'setup.branch_changed': { fields: string[] };
    'setup.widget_changed': { fields: string[] };
  }
}
