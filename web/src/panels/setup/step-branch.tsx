import { useSignal } from '@preact/signals';
import { api } from '../../app-state.ts';
import { LOCALE_NAMES, LOCALES, setLocale, t } from '../../i18n/index.ts';
import { type BranchSettings, type SetupView, saveBranch } from './api.ts';
import { Field, StepFrame, type StepProps } from './step-frame.tsx';

const zones = (): string[] => {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return ['Asia/Shanghai', 'Asia/Hong_Kong', 'Asia/Singapore', 'Europe/London', 'UTC'];
  }
};

/** Branch name and id, console language, time zone and phone region; a value the environment sets is shown locked. */
export function BranchStep(props: StepProps & { view: SetupView; onSaved: (v: SetupView) => void }) {
  const b = useSignal<BranchSettings>({ ...props.view.branch });
  const env = (k: keyof BranchSettings) => props.view.sources[k] === 'environment';
  const set = <K extends keyof BranchSettings>(k: K, v: BranchSettings[K]) => {
    b.value = { ...b.value, [k]: v };
  };
  const envHint = (k: keyof BranchSettings) => (env(k) ? t('setup.branch.fromEnv') : undefined);
  return (
    <StepFrame
      step="branch"
      skip={props.skip}
      onSave={async () => {
        const saved = await saveBranch(api, b.value);
        props.onSaved(saved);
        setLocale(saved.branch.language);
        await props.done();
      }}
    >
      <h2>{t('setup.step.branch')}</h2>
      <p>{t('setup.branch.intro')}</p>
      <Field
        label={t('setup.branch.name')}
        testid="setup-branch-name"
        required
        value={b.value.name}
        onInput={(v) => set('name', v)}
      />
      <label>
        {t('setup.branch.id')}
        <input
          data-testid="setup-branch-id"
          required
          pattern="[A-Za-z0-9_]{1,32}"
          disabled={env('branchId')}
          value={b.value.branchId}
          onInput={(e) => set('branchId', e.currentTarget.value)}
        />
        <small>{envHint('branchId') ?? t('setup.branch.idHint')}</small>
      </label>
      <label>
        {t('setup.branch.language')}
        <select
          data-testid="setup-branch-language"
          value={b.value.language}
          onChange={(e) => set('language', e.currentTarget.value as BranchSettings['language'])}
        >
          {LOCALES.map((l) => (
            <option key={l} value={l}>
              {LOCALE_NAMES[l]}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('setup.branch.timeZone')}
        <select
          data-testid="setup-branch-timezone"
          disabled={env('timeZone')}
          value={b.value.timeZone}
          onChange={(e) => set('timeZone', e.currentTarget.value)}
        >
          {[...new Set([b.value.timeZone, ...zones()])].map((z) => (
            <option key={z} value={z}>
              {z}
            </option>
          ))}
        </select>
        {envHint('timeZone') && <small>{envHint('timeZone')}</small>}
      </label>
      <label>
        {t('setup.branch.phoneRegion')}
        <input
          data-testid="setup-branch-region"
          required
          maxLength={2}
          disabled={env('phoneRegion')}
          value={b.value.phoneRegion}
          onInput={(e) => set('phoneRegion', e.currentTarget.value)}
        />
        <small>{envHint('phoneRegion') ?? t('setup.branch.regionHint')}</small>
      </label>
    </StepFrame>
  );
}
