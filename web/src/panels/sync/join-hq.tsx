import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../../app-state.ts';
import { ErrorText } from '../../components/error-text.tsx';
import { useAction } from '../../components/use-action.ts';
import { t } from '../../i18n/index.ts';
import {
  checkJoinBundle,
  DATA_CLASSES,
  type FieldRow,
  fetchSyncStatus,
  type JoinPreviewView,
  joinHq,
  type SyncStatusView,
} from './api.ts';

const REFRESH_MS = 5_000;

/** Per class and field, what leaves the branch; a class with no field is listed as withheld entirely. */
function FieldTable({ rows, testid }: { rows: FieldRow[]; testid: string }) {
  return (
    <table data-testid={testid}>
      <thead>
        <tr>
          <th>{t('join.class')}</th>
          <th>{t('join.field')}</th>
          <th>{t('join.rule')}</th>
        </tr>
      </thead>
      <tbody>
        {DATA_CLASSES.flatMap((cls) => {
          const mine = rows.filter((r) => r.cls === cls);
          if (mine.length === 0)
            return [
              <tr key={cls} data-testid={`${testid}-${cls}`} data-rule="withheld">
                <td>{t(`join.class.${cls}`)}</td>
                <td>{t('join.nothing')}</td>
                <td>{t('join.rule.withheld')}</td>
              </tr>,
            ];
          return mine.map((r) => (
            <tr key={`${cls}.${r.field}`} data-testid={`${testid}-${cls}-${r.field}`} data-rule={r.rule}>
              <td>{t(`join.class.${cls}`)}</td>
              <td>{r.field}</td>
              <td>{t(`join.rule.${r.rule}`)}</td>
            </tr>
          ));
        })}
      </tbody>
    </table>
  );
}

function LinkStatus({ s }: { s: SyncStatusView }) {
  const link = s.link;
  if (!link) return <p data-testid="join-status-none">{t('join.notJoined')}</p>;
  const running = s.replications.filter((r) => r.hqReachable && r.state !== 'error').length;
  const change = s.policyChange;
  return (
    <div data-testid="join-status" data-source={link.source}>
      <p data-testid="join-status-link">
        {link.source === 'joined'
          ? t('join.linked', {
              url: link.hqUrl,
              branch: link.branchId,
              at: link.joinedAt ?? '',
              by: link.joinedBy ?? '',
            })
          : t('join.linkedEnv', { url: link.hqUrl, branch: link.branchId })}
      </p>
      {s.enabled ? (
        <p data-testid="join-status-state">
          {t('join.linkState', {
            running,
            total: s.replications.length,
            docs: s.lagDocs ?? 0,
            seconds: s.lagSeconds ?? 0,
          })}
        </p>
      ) : null}
      {change ? (
        <div data-testid="join-policy-change" data-to={change.to}>
          <p>
            {change.changes.length
              ? t('join.policyChange', { from: change.from, to: change.to, at: change.at })
              : t('join.policyChangeNone', { from: change.from, to: change.to })}
          </p>
          <ul>
            {change.changes.map((c) => (
              <li key={`${c.cls}.${c.field}`} data-testid={`join-policy-change-${c.cls}-${c.field}`}>
                {t('join.change', {
                  cls: t(`join.class.${c.cls}`),
                  field: c.field,
                  before: t(`join.rule.${c.before}`),
                  after: t(`join.rule.${c.after}`),
                })}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {s.fields ? (
        <>
          <h3>{t('join.fieldsNow', { version: s.policyVersion ?? 0 })}</h3>
          <FieldTable rows={s.fields} testid="join-fields-now" />
        </>
      ) : null}
    </div>
  );
}

/** 加入总部 / Join HQ: paste or upload HQ's bundle, test the link, see what leaves, confirm. */
export function JoinHqPanel() {
  const status = useSignal<SyncStatusView | undefined>(undefined);
  const text = useSignal('');
  const preview = useSignal<JoinPreviewView | undefined>(undefined);
  const load = useAction();
  const check = useAction();
  const join = useAction();
  const refresh = () =>
    void load.run(async () => {
      status.value = await fetchSyncStatus(api);
    });
  useEffect(() => {
    refresh();
    const timer = setInterval(refresh, REFRESH_MS);
    return () => clearInterval(timer);
  }, []);
  const onFile = (e: Event) => {
    const file = (e.currentTarget as HTMLInputElement).files?.[0];
    if (file)
      void file.text().then((v) => {
        text.value = v.trim();
        preview.value = undefined;
      });
  };
  const p = preview.value;
  return (
    <div data-testid="join-hq-panel">
      <h2>{t('join.title')}</h2>
      <ErrorText code={load.error} testid="join-status-error" />
      {status.value ? <LinkStatus s={status.value} /> : null}
      <p>{t('join.intro')}</p>
      <label>
        {t('join.bundle')}
        <textarea
          data-testid="join-bundle"
          rows={6}
          cols={80}
          value={text.value}
          onInput={(e) => {
            text.value = (e.currentTarget as HTMLTextAreaElement).value;
            preview.value = undefined;
            check.clear();
            join.clear();
          }}
        />
      </label>
      <label>
        {t('join.upload')}{' '}
        <input type="file" accept=".txt,text/plain" data-testid="join-file" onChange={onFile} />
      </label>
      <button
        type="button"
        data-testid="join-test"
        disabled={check.busy || text.value.trim() === ''}
        onClick={() =>
          void check.run(async () => {
            preview.value = undefined;
            preview.value = await checkJoinBundle(api, text.value);
          })
        }
      >
        {t('join.test')}
      </button>
      <ErrorText code={check.error} testid="join-error" />
      {p ? (
        <div data-testid="join-preview" data-ok={String(p.ok)}>
          <p data-testid="join-bundle-for">
            {t('join.bundleFor', { branch: p.branch, name: p.name, url: p.hqUrl, version: p.policyVersion })}
          </p>
          <p data-testid="join-ca">
            {p.caFingerprint ? t('join.caFingerprint', { fp: p.caFingerprint }) : t('join.noTls')}
          </p>
          <ul data-testid="join-checks">
            {p.checks.map((c) => (
              <li key={c.check} data-testid={`join-check-${c.check}`} data-result={c.result}>
                {`${t(`join.check.${c.check}`)}: ${t(`join.result.${c.result}`)}`}
                {c.info ? ` (${c.info})` : ''}
                {c.result === 'failed' ? ` — ${t(`join.fail.${c.check}`)}` : ''}
              </li>
            ))}
          </ul>
          <p data-testid="join-checks-verdict">{p.ok ? t('join.checksOk') : t('join.checksFailed')}</p>
          <h3>{t('join.fieldsTitle')}</h3>
          <FieldTable rows={p.fields} testid="join-fields" />
          <button
            type="button"
            data-testid="join-confirm"
            disabled={!p.ok || join.busy}
            onClick={() =>
              void join.run(async () => {
                await joinHq(api, text.value);
                preview.value = undefined;
                text.value = '';
                status.value = await fetchSyncStatus(api);
              })
            }
          >
            {t('join.confirm')}
          </button>
          <ErrorText code={join.error} testid="join-confirm-error" />
        </div>
      ) : null}
    </div>
  );
}
