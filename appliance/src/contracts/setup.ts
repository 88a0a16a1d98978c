/** The first-run wizard's shapes, shared by the setup context and the console. */

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
  /** A privacy notice the widget shows above the chat (empty or absent = none). */
  privacy?: string;
}

/** Where a branch setting's value in force comes from: the environment wins over the wizard. */
export type SettingSource = 'environment' | 'wizard' | 'default';

/** `GET /api/setup`: progress per step and the branch settings in force. */
export interface SetupView {
  steps: Record<SetupStep, StepState>;
  complete: boolean;
  branch: BranchSettings;
  sources: Record<keyof BranchSettings, SettingSource>;
  widget: WidgetLook;
}
