import { randomUUID } from 'node:crypto';
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { ChannelSender } from '../../conversations/index.ts';
import { createLogger } from '../../logging/index.ts';
import type { DocStore } from '../../storage/index.ts';
import { EmailError } from './errors.ts';
import type { ThreadIndex } from './threads.ts';

const log = createLogger('channels.email');

export interface EmailSenderOptions {
  /** smtp(s)://host:port or nodemailer options; undefined = every reply fails with EMAIL_RELAY_NOT_CONFIGURED. */
  relayUrl: RelayTarget | undefined;
  /** Our From address; its domain names our Message-IDs. */
  from: string;
  threads: ThreadIndex;
  /** Outbound log (`out:<id>`, recipient and subject encrypted). */
  store: DocStore;
}

/** Where replies go: a relay URL (the environment's) or options built from stored settings. */
export type RelayTarget = string | SMTPTransport.Options;

/** One outbound mail as recorded for the console and for retries. */
export interface OutboundRecord {
  messageId: string;
  threadKey: string;
  to: string;
  subject: string;
  state: 'queued' | 'sent' | 'failed';
  code?: string;
  at: string;
}

function replySubject(subject: string): string {
  return /^\s*(re|回复|答复)\s*[:：]/i.test(subject) ? subject : `Re: ${subject}`;
}

/**
 * Agent replies by mail through the configured relay, threaded into the
 * customer's conversation: In-Reply-To the latest message, References the
 * thread so far, "Re: <subject>", and our own Message-ID.
 */
export function createEmailSender(options: EmailSenderOptions): ChannelSender & {
  close(): void;
  /** Applies relay and From settings saved at runtime; later replies use them. */
  reconfigure(relay: RelayTarget | undefined, from: string): void;
} {
  let transport = options.relayUrl ? nodemailer.createTransport(options.relayUrl) : undefined;
  let from = options.from;
  let domain = from.split('@').pop() ?? 'localhost';
  return {
    channel: 'email',
    async send({ contact, message, to }) {
      const rcpt = to.find((h) => h.kind === 'email')?.value;
      if (!rcpt)
        throw new EmailError('EMAIL_NO_RECIPIENT', 'The customer has no email handle', { status: 409 });
      const thread = await options.threads.threadWhenRecorded(contact.threadKey);
      const refs = thread?.references ?? [contact.threadKey];
      const messageId = `<${randomUUID()}@${domain}>`;
      const record: OutboundRecord & { _id: string } = {
        _id: `out:${message.id}`,
        messageId,
        threadKey: contact.threadKey,
        to: rcpt,
        subject: replySubject(thread?.subject ?? ''),
        state: 'queued',
        at: new Date().toISOString(),
      };
      const { rev } = await options.store.put(record);
      const finish = async (state: 'sent' | 'failed', code?: string) => {
        await options.store.put({ ...record, _rev: rev, state, ...(code ? { code } : {}) });
      };
      if (!transport) {
        await finish('failed', 'EMAIL_RELAY_NOT_CONFIGURED');
        throw new EmailError(
          'EMAIL_RELAY_NOT_CONFIGURED',
          'No SMTP relay is configured (BRANCHLINE_SMTP_RELAY_URL)',
          {
            status: 503,
          },
        );
      }
      try {
        await transport.sendMail({
          from,
          to: rcpt,
          subject: record.subject,
          text: message.text,
          messageId,
          inReplyTo: refs.at(-1) as string,
          references: refs,
        });
      } catch (err) {
        log.warn(`relay refused a reply [messageId:${messageId}]`, { error: String(err) });
        await finish('failed', 'EMAIL_RELAY_FAILED');
        throw new EmailError('EMAIL_RELAY_FAILED', 'The SMTP relay did not accept the reply', {
          status: 502,
          cause: err,
        });
      }
      await finish('sent');
      await options.threads.record(messageId, contact.threadKey, thread?.subject ?? '');
      return { externalId: messageId };
    },
    close() {
      transport?.close();
    },
    reconfigure(relay, nextFrom) {
      transport?.close();
      transport = relay ? nodemailer.createTransport(relay) : undefined;
      from = nextFrom;
      domain = from.split('@').pop() ?? 'localhost';
    },
  };
}
