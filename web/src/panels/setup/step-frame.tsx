import { useSignal } from '@preact/signals';
import type { ComponentChildren } from 'preact';
import { ErrorText } from '../../components/error-text.tsx';
import { useAction } from '../../components/use-action.ts';
import { ApiError } from '../../data/api.ts';
import { t } from '../../i18n/index.ts';

/** The fields a refusal names (details.field, validation issue paths) or the expression position. */
function fieldOf(err: unknown): string {
  const d = err instanceof ApiError ? (err.details ?? {}) : {};
  const issues = Array.isArray(d['issues']) ? (d['issues'] as Array<{ path?: unknown }>) : [];
  const fields = issues.map((i) => String(i.path ?? '')).filter(Boolean);
  if (typeof d['field'] === 'string') fields.push(d['field']);
  if (typeof d['position'] === 'number') fields.push(t('routing.errorAt', { position: d['position'] + 1 }));
  return fields.join(', ');
}

/** What every step gets: mark itself done (after its own save) or skipped; both move on. */
export interface StepProps {
  done: () => Promise<void>;
  skip: () => Promise<void>;
}

/** A step's form: its fields, the translated error (with the field it names), save and skip. */
export function StepFrame(props: {
  step: string;
  /** Saves the step's items; throws to show the error. */
  onSave: () => Promise<void>;
  skip: () => Promise<void>;
  saveLabel?: string;
  children: ComponentChildren;
}) {
  const action = useAction();
  const field = useSignal('');
  const submit = (e: Event) => {
    e.preventDefault();
    void action.run(async () => {
      field.value = '';
      try {
        await props.onSave();
      } catch (err) {
        field.value = fieldOf(err);
        throw err;
      }
    });
  };
  return (
    <form class="card stack" data-testid={`setup-step-${props.step}`} onSubmit={submit}>
      {props.children}
      <ErrorText code={action.error} testid="setup-error" />
      {action.error && field.value && (
        <p class="error" data-testid="setup-error-field">
          {t('setup.errorField', { field: field.value })}
        </p>
      )}
      <div class="row">
        <button type="submit" data-testid="setup-save" disabled={action.busy}>
          {action.busy ? t('common.working') : (props.saveLabel ?? t('setup.saveNext'))}
        </button>
        <button type="button" class="secondary" data-testid="setup-skip" onClick={() => void props.skip()}>
          {t('setup.skip')}
        </button>
      </div>
    </form>
  );
}

/** A labelled text input bound to a value. */
export function Field(props: {
  label: string;
  value: string;
  onInput: (v: string) => void;
  testid: string;
  type?: string;
  required?: boolean;
  pattern?: string;
  placeholder?: string;
  hint?: string;
}) {
  return (
    <label>
      {props.label}
      <input
        data-testid={props.testid}
        type={props.type ?? 'text'}
        required={props.required ?? false}
        {...(props.pattern ? { pattern: props.pattern } : {})}
        {...(props.placeholder ? { placeholder: props.placeholder } : {})}
        autocomplete="off"
        value={props.value}
        onInput={(e) => props.onInput(e.currentTarget.value)}
      />
      {props.hint && <small>{props.hint}</small>}
    </label>
  );
}
