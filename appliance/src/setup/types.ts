import type { BranchSettings, SetupStep, StepState, WidgetLook } from '../contracts/index.ts';
import type { SetupService } from './service.ts';

export {
  type BranchSettings,
  CONSOLE_LANGUAGES,
  type ConsoleLanguage,
  SETUP_STEPS,
  type SettingSource,
  type SetupStep,
  type StepState,
  type WidgetLook,
} from '../contracts/index.ts';

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
