import type { Signal } from '@preact/signals';
import { t } from '../../i18n/index.ts';
import { type Channel, type MessageRow, replySubject, subjectOf } from './api.ts';

/**
 * Reply box for the contact's channel: email shows the subject and the message
 * it threads under (the appliance sets In-Reply-To/References); voice has no
 * text reply, only notes.
 */
export function Composer(props: {
  channel: Channel;
  messages: MessageRow[];
  text: Signal<string>;
  busy: boolean;
  canReply: boolean;
  onSend: () => void;
  onNote: () => void;
}) {
  const subject = props.channel === 'email' ? subjectOf(props.messages) : undefined;
  const parent =
    props.channel === 'email'
      ? [...props.messages].reverse().find((m) => m.direction === 'in' && m.meta?.['messageId'])?.meta?.[
          'messageId'
        ]
      : undefined;
  const empty = !props.text.value.trim();
  return (
    <form
      class="card stack"
      data-testid="composer"
      data-channel={props.channel}
      onSubmit={(e) => {
        e.preventDefault();
        if (!empty) props.onSend();
      }}
    >
      {subject !== undefined ? (
        <p data-testid="composer-email-subject">
          {t('inbox.emailSubject', { subject: replySubject(subject) })}
        </p>
      ) : null}
      {parent ? (
        <p class="muted" data-testid="composer-email-thread">
          {t('inbox.emailThread', { messageId: parent })}
        </p>
      ) : null}
      {props.channel === 'voice' ? <p class="muted">{t('inbox.voiceNoComposer')}</p> : null}
      <textarea
        data-testid="composer-text"
        aria-label={t('inbox.reply')}
        placeholder={t('inbox.replyPlaceholder')}
        maxLength={65536}
        value={props.text.value}
        onInput={(e) => {
          props.text.value = e.currentTarget.value;
        }}
      />
      <div class="row">
        {props.channel !== 'voice' ? (
          <button type="submit" data-testid="composer-send" disabled={props.busy || empty || !props.canReply}>
            {t('inbox.send')}
          </button>
        ) : null}
        <button
          type="button"
          class="secondary"
          data-testid="composer-note"
          disabled={props.busy || empty}
          onClick={props.onNote}
        >
          {t('inbox.note')}
        </button>
      </div>
    </form>
  );
}
