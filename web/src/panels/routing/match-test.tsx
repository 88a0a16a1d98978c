import { useSignal } from '@preact/signals';
import { api } from '../../app-state.ts';
import { ErrorText } from '../../components/error-text.tsx';
import { useAction } from '../../components/use-action.ts';
import { t } from '../../i18n/index.ts';
import { type MatchResult, matchTest } from './api.ts';

/** "Which agents would this contact match, and why": attributes in, agents per target out. */
export function MatchTestTool() {
  const channel = useSignal('webchat');
  const attrs = useSignal('{ "intent": "billing", "language": "zh" }');
  const result = useSignal<MatchResult | undefined>(undefined);
  const bad = useSignal(false);
  const action = useAction();
  const submit = (e: Event) => {
    e.preventDefault();
    let attributes: Record<string, unknown>;
    try {
      attributes = JSON.parse(attrs.value) as Record<string, unknown>;
      bad.value = false;
    } catch {
      bad.value = true;
      return;
    }
    void action.run(async () => {
      result.value = await matchTest(api, { channel: channel.value, attributes });
    });
  };
  const r = result.value;
  return (
    <section class="card stack" data-testid="routing-match-test">
      <h2>{t('routing.matchTest')}</h2>
      <form class="row" onSubmit={submit}>
        <label>
          {t('routing.channel')}
          <select
            data-testid="match-channel"
            value={channel.value}
            onChange={(e) => (channel.value = e.currentTarget.value)}
          >
            {['voice', 'webchat', 'email', 'wechat', 'wecom'].map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('routing.attributes')}
          <input
            data-testid="match-attributes"
            value={attrs.value}
            onInput={(e) => (attrs.value = e.currentTarget.value)}
          />
        </label>
        <button type="submit" data-testid="match-run" disabled={action.busy}>
          {t('routing.run')}
        </button>
      </form>
      {bad.value ? <p class="error">{t('routing.badJson')}</p> : null}
      <ErrorText code={action.error} />
      {r ? (
        <div data-testid="match-result">
          <p>
            {r.filter === null
              ? t('routing.noFilter')
              : t('routing.filterMatched', { filter: r.filter, workflow: r.workflowId })}
          </p>
          {r.targets.map((target, i) => (
            <table key={`${target.queueId}-${i}`} class="table">
              <caption>
                {t('routing.target', {
                  n: String(i + 1),
                  queue: target.queueId,
                  expr: target.agentExpression,
                })}
              </caption>
              <tbody>
                {target.agents.map((a) => (
                  <tr key={a.userId} data-testid="match-row" data-matches={String(a.matches)}>
                    <td>{a.displayName ?? a.userId}</td>
                    <td>{a.matches ? t('common.yes') : t('common.no')}</td>
                    <td>
                      {a.state}
                      {a.free ? ` · ${t('routing.free')}` : ''}
                    </td>
                    <td>{a.why}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ))}
        </div>
      ) : null}
    </section>
  );
}
