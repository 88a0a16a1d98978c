import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../../app-state.ts';
import { formatDateTime } from '../../i18n/format.ts';
import { t } from '../../i18n/index.ts';
import { label as labelOf } from '../../i18n/labels.ts';
import { fieldName } from '../audit-details.tsx';
import { addNote, getTicket, type TicketDetail, transitionTicket } from './api.ts';
import { type Failure, failureOf, RefusalText } from './refusal.tsx';
import { stateLabel } from './workflow-diagram.tsx';

/** One ticket: description, transition buttons (with field inputs for required fields), notes, history. */
export function TicketDetailView(props: { id: string; onBack: () => void }) {
  const detail = useSignal<TicketDetail | undefined>(undefined);
  const failure = useSignal<Failure | undefined>(undefined);
  const fields = useSignal<Record<string, string>>({});
  const note = useSignal('');
  const load = async () => {
    try {
      detail.value = await getTicket(api, props.id);
    } catch (e) {
      failure.value = failureOf(e);
    }
  };
  useEffect(() => {
    void load();
  }, [props.id]);
  const act = async (work: () => Promise<unknown>) => {
    failure.value = undefined;
    try {
      await work();
      await load();
    } catch (e) {
      failure.value = failureOf(e);
    }
  };
  const d = detail.value;
  if (!d) return <RefusalText failure={failure.value} />;
  const next = d.workflow.transitions.filter((x) => x.from === d.ticket.state);
  const wanted = [...new Set(next.flatMap((x) => x.requiredFields ?? []))];
  // Labels in the console language (set in the workflow editor), then the plain label, then the id.
  const label = (id: string) =>
    stateLabel(
      d.workflow.states.find((s) => s.id === id),
      id,
    );
  return (
    <section class="stack" data-testid="ticket-detail">
      <button type="button" data-testid="ticket-back" onClick={props.onBack}>
        {t('tickets.back')}
      </button>
      <h2>
        {d.ticket.number} · {d.ticket.subject}
      </h2>
      <p data-testid="ticket-state">{label(d.ticket.state)}</p>
      <h3>{t('tickets.description')}</h3>
      <p>{d.ticket.description}</p>
      {wanted.map((f) => (
        <label key={f}>
          {f}
          <input
            data-testid={`ticket-field-${f}`}
            value={fields.value[f] ?? d.ticket.fields[f] ?? ''}
            onInput={(e) => {
              fields.value = { ...fields.value, [f]: e.currentTarget.value };
            }}
          />
        </label>
      ))}
      <div class="row">
        {next.map((x) => (
          <button
            type="button"
            key={x.to}
            data-testid={`ticket-move-${x.to}`}
            onClick={() => void act(() => transitionTicket(api, d.ticket.id, x.to, fields.value))}
          >
            {t('tickets.moveTo', { state: label(x.to) })}
          </button>
        ))}
      </div>
      <RefusalText failure={failure.value} />
      <h3>{t('tickets.notes')}</h3>
      <ul>
        {d.notes.map((n) => (
          <li key={n.id} data-testid="ticket-note">
            [{labelOf('ticketAction', n.kind === 'reply' ? 'replied' : 'note_added')}] {n.author}: {n.text}
          </li>
        ))}
      </ul>
      <textarea
        data-testid="ticket-note-text"
        aria-label={t('tickets.notes')}
        value={note.value}
        onInput={(e) => {
          note.value = e.currentTarget.value;
        }}
      />
      <div class="row">
        {(['internal', 'reply'] as const).map((kind) => (
          <button
            type="button"
            key={kind}
            data-testid={`ticket-note-${kind}`}
            disabled={!note.value.trim()}
            onClick={() =>
              void act(async () => {
                await addNote(api, d.ticket.id, note.value, kind);
                note.value = '';
              })
            }
          >
            {kind === 'reply' ? t('tickets.reply') : t('tickets.addNote')}
          </button>
        ))}
      </div>
      <h3>{t('tickets.history')}</h3>
      <ol data-testid="ticket-history">
        {d.history.map((h) => (
          <li key={h.seq}>
            {formatDateTime(h.at)} · {h.actor === 'system' ? t('tickets.system') : h.actor} ·{' '}
            {labelOf('ticketAction', h.action)} · {Object.keys(h.changes).map(fieldName).join('、')}
          </li>
        ))}
      </ol>
    </section>
  );
}
