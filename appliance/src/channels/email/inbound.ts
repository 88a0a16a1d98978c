import { createHash } from 'node:crypto';
import { type AddressObject, simpleParser } from 'mailparser';
import type { AttachmentInput, InboundMessage } from '../../conversations/index.ts';
import { normaliseId } from './threads.ts';

/** A parsed inbound mail, before threading. */
export interface ParsedMail {
  messageId: string;
  /** References then In-Reply-To, oldest first, no duplicates. */
  parents: string[];
  from: string | undefined;
  fromName: string | undefined;
  /** To and Cc addresses from the headers (IMAP has no envelope recipients). */
  to: string[];
  subject: string;
  text: string;
  attachments: AttachmentInput[];
  /** True when MIME parsing failed and the raw text stands in for the body. */
  raw: boolean;
  date: Date | undefined;
}

function allAddresses(...lists: Array<AddressObject | AddressObject[] | undefined>): string[] {
  return lists
    .flatMap((a) => (a === undefined ? [] : Array.isArray(a) ? a : [a]))
    .flatMap((o) => o.value.map((v) => v.address ?? ''))
    .filter((a) => a !== '');
}

function firstAddress(a: AddressObject | AddressObject[] | undefined): { address?: string; name?: string } {
  const obj = Array.isArray(a) ? a[0] : a;
  const v = obj?.value[0];
  return { ...(v?.address ? { address: v.address } : {}), ...(v?.name ? { name: v.name } : {}) };
}

/** Mail without a Message-ID gets one derived from its bytes, so a redelivery is still a duplicate. */
function syntheticId(raw: Buffer): string {
  return `<${createHash('sha256').update(raw).digest('hex').slice(0, 32)}@no-message-id.invalid>`;
}

/**
 * MIME is parsed by mailparser. Mail it cannot parse is kept, not refused:
 * the raw text becomes the body so an agent still sees what arrived.
 */
export async function parseMail(raw: Buffer, envelopeFrom: string | undefined): Promise<ParsedMail> {
  try {
    const m = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });
    const from = firstAddress(m.from);
    const refs =
      m.references === undefined
        ? []
        : Array.isArray(m.references)
          ? m.references
          : m.references.split(/\s+/);
    const parents = [
      ...new Set([...refs, ...(m.inReplyTo ? [m.inReplyTo] : [])].filter(Boolean).map(normaliseId)),
    ];
    return {
      messageId: m.messageId ? normaliseId(m.messageId) : syntheticId(raw),
      parents,
      from: from.address ?? envelopeFrom,
      fromName: from.name,
      to: allAddresses(m.to, m.cc),
      subject: m.subject ?? '',
      text: (m.text ?? '').trim(),
      attachments: m.attachments.map((a) => ({
        name: a.filename ?? 'attachment',
        mime: a.contentType || 'application/octet-stream',
        data: new Uint8Array(a.content),
      })),
      raw: false,
      date: m.date,
    };
  } catch {
    return {
      messageId: syntheticId(raw),
      parents: [],
      from: envelopeFrom,
      fromName: undefined,
      to: [],
      subject: '',
      text: raw.toString('utf8').slice(0, 256 * 1024),
      attachments: [],
      raw: true,
      date: undefined,
    };
  }
}

/** The conversations service's view of a threaded mail. */
export function toInbound(
  mail: ParsedMail,
  o: { threadKey: string; from: string; to: string[] },
): InboundMessage {
  return {
    channel: 'email',
    // Unverified: SPF/DKIM are not checked here, so this address links only by the service's rules.
    handles: [{ kind: 'email', value: o.from.toLowerCase(), verified: false }],
    externalId: mail.messageId,
    threadKey: o.threadKey,
    text: mail.text,
    attachments: mail.attachments,
    ...(mail.fromName ? { displayName: mail.fromName } : {}),
    receivedAt: new Date(),
    meta: {
      subject: mail.subject,
      messageId: mail.messageId,
      ...(mail.parents.length ? { inReplyTo: mail.parents.at(-1) as string } : {}),
      to: o.to.join(', '),
      ...(mail.raw ? { mimeError: 'unparseable MIME: raw text kept' } : {}),
    },
  };
}
