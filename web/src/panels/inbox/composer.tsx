import type { Signal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { t } from '../../i18n/index.ts';
import { type Channel, type MessageRow, replySubject, subjectOf } from './api.ts';

/** Channels whose replies are chat lines: Enter sends them. An email is written in lines. */
const ENTER_SENDS: readonly Channel[] = ['webchat', 'wechat', 'wecom'];

/**
 * Whether a keydown in the reply box sends: Enter on a chat channel (Shift+Enter
 * is a new line), Ctrl/⌘+Enter on any; never while an input method is composing
 * (Enter then picks the Chinese candidate — keyCode 229 covers browsers that
 * report the confirming keydown after compositionend).
 */
export function sendsOnKey(
  e: Pick<KeyboardEvent, 'key' | 'shiftKey' | 'ctrlKey' | 'metaKey' | 'altKey' | 'isComposing' | 'keyCode'>,
  channel: Channel,
): boolean {
  if (e.key !== 'Enter' || e.isComposing || e.keyCode === 229 || e.shiftKey || e.altKey) return false;
  return e.ctrlKey || e.metaKey || ENTER_SENDS.includes(channel);
}

/**
 * Reply box for the contact's channel: email shows the subject and the message
 * it threads under (the appliance sets In-Reply-To/References); voice has no
 * text reply, only notes.
 */
export function Composer(props: {
  /** Takes focus when it first shows (the contact was just accepted). */
  autoFocus?: boolean;
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
  const box = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    if (props.autoFocus) box.current?.focus();
  }, []);
  const canSend = props.channel !== 'voice' && !props.busy && !empty && props.canReply;
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
        ref={box}
        data-testid="composer-text"
        aria-label={t('inbox.reply')}
        aria-describedby={props.channel === 'voice' ? undefined : 'composer-keys'}
        onKeyDown={(e) => {
          if (!sendsOnKey(e, props.channel)) return;
          e.preventDefault();
          if (canSend) props.onSend();
        }}
        placeholder={t('inbox.replyPlaceholder')}
        maxLength={65536}
        value={props.text.value}
        onInput={(e) => {
          props.text.value = e.currentTarget.value;
        }}
      />
      {props.channel !== 'voice' ? (
        <p class="muted" id="composer-keys" data-testid="composer-keys">
          {t(ENTER_SENDS.includes(props.channel) ? 'inbox.keysChat' : 'inbox.keysEmail')}
        </p>
      ) : null}
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
