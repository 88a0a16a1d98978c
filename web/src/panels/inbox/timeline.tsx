import type { MessageKey } from '../../i18n/index.ts';
import { t } from '../../i18n/index.ts';
import { label } from '../../i18n/labels.ts';
import type { MessageRow } from './api.ts';

export const channelLabel = (c: string) => t(`inbox.channel.${c}` as MessageKey);

/** One message bubble; attachments link to the audited download route. */
export function MessageItem(props: { m: MessageRow; testid: string; current?: boolean }) {
  const m = props.m;
  // Bot answers go out like agent replies; the marker keeps the transcript honest about who spoke.
  const bot = m.direction === 'out' && m.author === 'bot';
  return (
    <li
      class={`inbox-msg inbox-msg-${m.direction}${bot ? ' inbox-msg-bot' : ''}${props.current ? ' inbox-msg-current' : ''}`}
      data-testid={props.testid}
      data-direction={m.direction}
      data-author={bot ? 'bot' : undefined}
      data-channel={m.channel}
      data-delivery={m.delivery}
    >
      <span class="muted">
        {bot ? (
          <strong class="inbox-bot-marker" data-testid={`${props.testid}-bot`}>
            {t('inbox.from.bot')}
          </strong>
        ) : (
          t(`inbox.from.${m.direction}`)
        )}{' '}
        · {channelLabel(m.channel)} · {m.at.slice(0, 16).replace('T', ' ')}
      </span>
      <p data-testid={`${props.testid}-text`}>{m.text}</p>
      {m.attachments.map((a) => (
        <a key={a.id} href={`/api/attachments/${encodeURIComponent(a.id)}`} data-testid="message-attachment">
          {t('inbox.attachment', { name: a.name })}
        </a>
      ))}
      {(m.blockedAttachments ?? []).map((b) => (
        <span key={b.id} class="muted" data-testid="message-blocked-attachment" data-reason={b.reason}>
          {t('inbox.blocked', {
            name: b.name,
            mime: b.mime.split(';')[0] ?? b.mime,
            size: `${Math.max(1, Math.round(b.bytes / 1024))} KB`,
            reason: t(`inbox.blocked.${b.reason}` as MessageKey),
          })}
        </span>
      ))}
      {m.direction === 'out' ? (
        <span class="muted">{t('inbox.delivery', { state: label('delivery', m.delivery) })}</span>
      ) : null}
    </li>
  );
}

/** The customer's messages on every channel (from the 360 API), oldest first. */
export function CustomerTimeline(props: { entries: MessageRow[]; contactId: string }) {
  return (
    <section class="card stack" data-testid="timeline">
      <h3>{t('inbox.timeline')}</h3>
      {props.entries.length === 0 ? <p class="muted">{t('inbox.timelineEmpty')}</p> : null}
      <ol class="inbox-thread">
        {props.entries.map((m) => (
          <MessageItem key={m.id} m={m} testid="timeline-entry" current={m.contactId === props.contactId} />
        ))}
      </ol>
    </section>
  );
}
