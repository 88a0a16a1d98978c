import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api, navigate } from '../../app-state.ts';
import { t } from '../../i18n/index.ts';
import { fetchSetup, type SetupView, STEPS, type Step, setStep } from './api.ts';
import { AgentsStep } from './step-agents.tsx';
import { BranchStep } from './step-branch.tsx';
import { EmailStep, HqStep, WebchatStep, WechatStep } from './step-channels.tsx';
import { HoursStep } from './step-hours.tsx';
import { QueueStep } from './step-queue.tsx';
import { VoiceStep } from './step-voice.tsx';

/**
 * The first-run wizard: one step at a time, each saved or skipped; progress is
 * stored on the appliance, so it resumes at the first open step wherever it was left.
 */
export function SetupWizard() {
  const view = useSignal<SetupView | undefined>(undefined);
  const current = useSignal<Step>('branch');
  useEffect(() => {
    void fetchSetup(api).then((v) => {
      view.value = v;
      current.value = STEPS.find((s) => v.steps[s] === 'pending') ?? 'branch';
    });
  }, []);
  const v = view.value;
  if (!v) return <p class="muted">{t('app.loading')}</p>;

  const mark = async (step: Step, state: 'done' | 'skipped') => {
    const next = await setStep(api, step, state);
    view.value = next;
    const after = STEPS.slice(STEPS.indexOf(step) + 1).find((s) => next.steps[s] === 'pending');
    if (after) current.value = after;
    else if (next.complete) navigate('home');
    else current.value = STEPS.find((s) => next.steps[s] === 'pending') ?? step;
  };
  const step = current.value;
  const common = { done: () => mark(step, 'done'), skip: () => mark(step, 'skipped') };
  const onSaved = (next: SetupView) => {
    view.value = next;
  };
  return (
    <div class="stack" data-testid="setup-wizard" data-step={step}>
      <h1>{t('setup.title')}</h1>
      <nav class="row" aria-label={t('setup.title')}>
        {STEPS.map((s, i) => (
          <button
            key={s}
            type="button"
            class={s === step ? '' : 'secondary'}
            aria-current={s === step ? 'step' : undefined}
            data-testid={`setup-nav-${s}`}
            data-state={v.steps[s]}
            onClick={() => (current.value = s)}
          >
            {i + 1}. {t(`setup.step.${s}`)}{' '}
            {v.steps[s] === 'done' ? '✓' : v.steps[s] === 'skipped' ? '–' : ''}
          </button>
        ))}
      </nav>
      <div key={step}>
        {step === 'branch' && <BranchStep {...common} view={v} onSaved={onSaved} />}
        {step === 'hours' && <HoursStep {...common} view={v} />}
        {step === 'queue' && <QueueStep {...common} />}
        {step === 'agents' && <AgentsStep {...common} />}
        {step === 'voice' && <VoiceStep {...common} />}
        {step === 'webchat' && <WebchatStep {...common} view={v} onSaved={onSaved} />}
        {step === 'email' && <EmailStep {...common} />}
        {step === 'wechat' && <WechatStep {...common} />}
        {step === 'hq' && <HqStep {...common} />}
      </div>
    </div>
  );
}
