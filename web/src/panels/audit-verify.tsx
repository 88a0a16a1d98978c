import { useSignal } from '@preact/signals';
import { api } from '../app-state.ts';
import { ErrorText } from '../components/error-text.tsx';
import { useAction } from '../components/use-action.ts';
import { type AuditVerifyResult, verifyAudit } from '../data/audit.ts';
import { t } from '../i18n/index.ts';

export function AuditVerify() {
  const result = useSignal<AuditVerifyResult | undefined>(undefined);
  const action = useAction();
  const run = () =>
    action.run(async () => {
      result.value = await verifyAudit(api);
    });
  const r = result.value;
  return (
    <div class="verify">
      <button type="button" data-testid="audit-verify" disabled={action.busy} onClick={run}>
        {action.busy ? t('common.working') : t('audit.verify')}
      </button>
      <ErrorText code={action.error} testid="audit-verify-error" />
      {r && (
        <div
          class={`banner ${r.ok ? 'ok' : 'warn'}`}
          role="status"
          data-testid="audit-verify-result"
          data-ok={String(r.ok)}
        >
          {r.ok
            ? t('audit.verifyOk', { records: r.records, checkpoints: r.checkpoints })
            : t('audit.verifyBad', { count: r.problems.length })}
          {!r.ok && (
            <ul>
              {r.problems.slice(0, 50).map((p, i) => (
                <li key={`${p.kind}-${p.seq ?? p.id ?? i}`}>
                  {t('audit.problem', { kind: p.kind, seq: p.seq ?? '?' })}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </div>
  );
}
