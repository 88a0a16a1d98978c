/**
 * Setup: the first-run wizard's server side — which steps are done or skipped,
 * the branch settings it stores (the environment still wins), the widget look.
 * @example
 * const view = services.setup.view(); // { steps: { branch: 'done', … }, complete: false, … }
 */
export { setupModule } from './module.ts';
export { SetupService, type SetupView } from './service.ts';
export type { BranchSettings, SetupStep, StepState, WidgetLook } from './types.ts';
export { SETUP_STEPS } from './types.ts';
