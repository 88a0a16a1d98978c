import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../../app-state.ts';
import { ErrorText } from '../../components/error-text.tsx';
import { useAction } from '../../components/use-action.ts';
import { formatDateTime } from '../../i18n/format.ts';
import { t } from '../../i18n/index.ts';
import { label, qaEvidenceText } from '../../i18n/labels.ts';
import { getContact, type MessageRow } from '../inbox/api.ts';
import { effectiveScore, getQa, overrideQa, type QaResult } from './api.ts';

const when = (iso: string) => formatDateTime(iso);

function Transcript(props: { messages: MessageRow[] | undefined }) {
  if (!props.messages) return <p class="muted">{t('qa.transcriptUnavailable')}</p>;
  return (
    <ol class="qa-transcript" data-testid="qa-transcript">
      {props.messages
        .filter((m) => m.direction !== 'internal')
        .map((m) => {
          const role = m.direction === 'in' ? 'customer' : m.author === 'bot' ? 'bot' : 'agent';
          return (
            <li
              key={m.id}
              class={`qa-line qa-line-${role === 'bot' ? 'bot' : m.direction}`}
              data-testid="qa-line"
              data-role={role}
            >
              <span class="muted">
                {t(`qa.role.${role}`)} · {when(m.at)}
              </span>
              <p>{m.text}</p>
            </li>
          );
        })}
    </ol>
  );
}

/** One scored contact: transcript, rule findings and the reviewer's override form. */
export function QaDetail(props: {
  contactId: string;
  nameOf: (id: string | undefined) => string;
  onBack: () => void;
}) {
  const result = useSignal<QaResult | undefined>(undefined);
  const messages = useSignal<MessageRow[] | undefined>(undefined);
  const score = useSignal('');
  const comment = useSignal('');
  const action = useAction();

  useEffect(() => {
    void action.run(async () => {
      const r = await getQa(api, props.contactId);
      result.value = r;
      score.value = String(effectiveScore(r) ?? '');
      // The transcript is context for the reviewer; the findings stand without it.
      messages.value = (await getContact(api, props.contactId).catch(() => undefined))?.messages;
    });
  }, [props.contactId]);

  const r = result.value;
  const n = Number(score.value);
  const valid =
    score.value.trim() !== '' && Number.isInteger(n) && n >= 0 && n <= 100 && !!comment.value.trim();
  return (
    <section class="stack" data-testid="qa-detail" data-contact-id={props.contactId}>
      <div class="row">
        <button type="button" class="secondary" data-testid="qa-back" onClick={props.onBack}>
          {t('qa.back')}
        </button>
        <h2>{t('qa.detail', { id: props.contactId })}</h2>
      </div>
      <ErrorText code={action.error} testid="qa-detail-error" />
      {r ? (
        <>
          <section class="card stack">
            <p>
              {t('qa.agent')}: {props.nameOf(r.agentId)} · {t('qa.ruleScore')}:{' '}
              <strong data-testid="qa-rule-score">{r.score ?? t('qa.notScored')}</strong> · {t('qa.score')}:{' '}
              <strong data-testid="qa-detail-score">{effectiveScore(r) ?? t('qa.notScored')}</strong>
            </p>
            <h3>{t('qa.findings')}</h3>
            <ul class="qa-findings" data-testid="qa-findings">
              {r.findings.map((f) => (
                <li
                  key={f.rule}
                  class={f.passed ? '' : 'qa-finding-failed'}
                  data-testid="qa-finding"
                  data-rule={f.rule}
                  data-passed={String(f.passed)}
                >
                  <strong>{label('qaRule', f.rule)}</strong> —{' '}
                  {f.passed ? t('qa.passed') : t('qa.failed', { penalty: f.penalty })}{' '}
                  <span class="muted">{qaEvidenceText(f.detail)}</span>
                </li>
              ))}
            </ul>
          </section>
          <section class="card stack">
            <h3>{t('qa.transcript')}</h3>
            <Transcript messages={messages.value} />
          </section>
          <form
            class="card stack"
            data-testid="qa-review"
            onSubmit={(e) => {
              e.preventDefault();
              if (!valid) return;
              void action.run(async () => {
                result.value = await overrideQa(api, props.contactId, {
                  score: n,
                  comment: comment.value.trim(),
                });
                comment.value = '';
              });
            }}
          >
            <h3>{t('qa.review')}</h3>
            {r.override ? (
              <p data-testid="qa-reviewed">
                {t('qa.reviewedBy', {
                  reviewer: props.nameOf(r.override.reviewerId),
                  at: when(r.override.at),
                  comment: r.override.comment,
                })}
              </p>
            ) : null}
            <label>
              {t('qa.reviewScore')}
              <input
                type="number"
                min={0}
                max={100}
                step={1}
                data-testid="qa-review-score"
                value={score.value}
                onInput={(e) => {
                  score.value = e.currentTarget.value;
                }}
              />
            </label>
            <label>
              {t('qa.reviewComment')}
              <textarea
                data-testid="qa-review-comment"
                maxLength={2000}
                value={comment.value}
                onInput={(e) => {
                  comment.value = e.currentTarget.value;
                }}
              />
            </label>
            <button type="submit" data-testid="qa-review-save" disabled={action.busy || !valid}>
              {t('qa.reviewSave')}
            </button>
          </form>
        </>
      ) : null}
    </section>
  );
}
