import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api, can } from '../../app-state.ts';
import { ErrorText } from '../../components/error-text.tsx';
import { useAction } from '../../components/use-action.ts';
import { isMessageKey, t } from '../../i18n/index.ts';
import {
  listScorecards,
  parseSample,
  type Scorecard,
  type ScorecardRule,
  saveScorecard,
  type TryResult,
  tryScorecard,
} from './scorecards-api.ts';

const ruleName = (r: ScorecardRule) => {
  const key = `qa.rule.${r.id}`;
  return r.label ?? (isMessageKey(key) ? t(key) : r.id);
};

/** 评分表: a queue's QA rules with weights and thresholds, saved as a new version, tried on a sample. */
export function ScorecardsCard() {
  const cards = useSignal<Scorecard[]>([]);
  const draft = useSignal<Scorecard | undefined>(undefined);
  const sample = useSignal('');
  const callId = useSignal('');
  const tried = useSignal<TryResult | undefined>(undefined);
  const action = useAction();
  const editable = can('routing.manage');

  const pick = (id: string, list = cards.value) => {
    const c = list.find((x) => x.id === id);
    draft.value = c ? structuredClone(c) : undefined;
    tried.value = undefined;
  };
  useEffect(() => {
    void action.run(async () => {
      cards.value = await listScorecards(api);
      pick(cards.value[0]?.id ?? '');
    });
  }, []);
  const d = draft.value;
  const setRule = (i: number, patch: Partial<ScorecardRule>) => {
    if (!d) return;
    draft.value = {
      ...d,
      rules: d.rules.map((r, k) => (k === i ? ({ ...r, ...patch } as ScorecardRule) : r)),
    };
  };

  return (
    <section class="card stack" data-testid="qa-scorecards">
      <h3>{t('qa.cards.title')}</h3>
      <label>
        {t('qa.cards.card')}
        <select data-testid="qa-card-pick" value={d?.id ?? ''} onChange={(e) => pick(e.currentTarget.value)}>
          {cards.value.map((c) => (
            <option key={c.id} value={c.id}>
              {c.id === 'default' ? t('qa.cards.default') : c.name}
            </option>
          ))}
        </select>
      </label>
      {d ? (
        <>
          <p class="muted" data-testid="qa-card-version" data-version={d.version}>
            {t('qa.cards.version', { version: d.version })}
          </p>
          {d.id === 'default' ? null : (
            <label>
              {t('qa.cards.queues')}
              <input
                data-testid="qa-card-queues"
                value={d.queues.join(', ')}
                disabled={!editable}
                onInput={(e) => {
                  draft.value = {
                    ...d,
                    queues: e.currentTarget.value
                      .split(/[,，\s]+/)
                      .map((q) => q.trim())
                      .filter(Boolean),
                  };
                }}
              />
            </label>
          )}
          <table data-testid="qa-card-rules">
            <thead>
              <tr>
                <th>{t('qa.cards.rule')}</th>
                <th>{t('qa.cards.weight')}</th>
                <th>{t('qa.cards.setting')}</th>
              </tr>
            </thead>
            <tbody>
              {d.rules.map((r, i) => (
                <tr key={r.id} data-testid="qa-card-rule" data-rule={r.id}>
                  <td>{ruleName(r)}</td>
                  <td>
                    <input
                      type="number"
                      min={0}
                      max={100}
                      data-testid="qa-rule-weight"
                      value={r.weight}
                      disabled={!editable}
                      onInput={(e) => setRule(i, { weight: Number(e.currentTarget.value) })}
                    />
                  </td>
                  <td>
                    {r.kind === 'acoustic' ? (
                      <span class="row">
                        <span>{r.op}</span>
                        <input
                          type="number"
                          step="any"
                          min={0}
                          data-testid="qa-rule-threshold"
                          value={r.threshold}
                          disabled={!editable}
                          onInput={(e) => setRule(i, { threshold: Number(e.currentTarget.value) })}
                        />
                      </span>
                    ) : r.words ? (
                      <input
                        data-testid="qa-rule-words"
                        value={r.words.join(', ')}
                        disabled={!editable}
                        onInput={(e) =>
                          setRule(i, {
                            words: e.currentTarget.value
                              .split(/[,，]/)
                              .map((w) => w.trim())
                              .filter(Boolean),
                          })
                        }
                      />
                    ) : r.limit !== undefined ? (
                      <input
                        type="number"
                        step="any"
                        data-testid="qa-rule-limit"
                        value={r.limit}
                        disabled={!editable}
                        onInput={(e) => setRule(i, { limit: Number(e.currentTarget.value) })}
                      />
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {editable ? (
            <button
              type="button"
              data-testid="qa-card-save"
              disabled={action.busy}
              onClick={() =>
                void action.run(async () => {
                  const saved = await saveScorecard(api, d);
                  cards.value = cards.value.map((c) => (c.id === saved.id ? saved : c));
                  pick(saved.id);
                })
              }
            >
              {t('qa.cards.save')}
            </button>
          ) : null}
          <h4>{t('qa.cards.try')}</h4>
          <textarea
            rows={4}
            data-testid="qa-try-sample"
            placeholder={t('qa.cards.samplePlaceholder')}
            value={sample.value}
            onInput={(e) => {
              sample.value = e.currentTarget.value;
            }}
          />
          <label>
            {t('qa.cards.callId')}
            <input
              data-testid="qa-try-call"
              value={callId.value}
              onInput={(e) => {
                callId.value = e.currentTarget.value.trim();
              }}
            />
          </label>
          <button
            type="button"
            data-testid="qa-try"
            disabled={action.busy}
            onClick={() =>
              void action.run(async () => {
                const lines = parseSample(sample.value);
                tried.value = await tryScorecard(api, d.id, {
                  rules: d.rules,
                  ...(lines.length ? { lines } : {}),
                  ...(callId.value ? { callId: callId.value } : {}),
                });
              })
            }
          >
            {t('qa.cards.tryButton')}
          </button>
          {tried.value ? (
            <div data-testid="qa-try-result" data-score={tried.value.score ?? ''}>
              <p>
                {tried.value.score === undefined
                  ? t('qa.cards.nothingToScore')
                  : t('qa.cards.tryScore', { score: tried.value.score })}
              </p>
              <ul>
                {tried.value.findings.map((f) => (
                  <li
                    key={f.rule}
                    data-testid="qa-try-finding"
                    data-rule={f.rule}
                    data-passed={String(f.passed)}
                  >
                    {ruleName(d.rules.find((r) => r.id === f.rule) ?? ({ id: f.rule } as ScorecardRule))}:{' '}
                    {f.passed ? t('qa.passed') : t('qa.failed', { penalty: f.penalty })}
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
        </>
      ) : null}
      <ErrorText code={action.error} testid="qa-cards-error" />
    </section>
  );
}
