import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import { type AddressObject, type Attachment as MimePart, simpleParser } from 'mailparser';
import {
  type AttachmentInput,
  type BlockedAttachmentInput,
  type InboundMessage,
  normaliseMime,
} from '../../conversations/index.ts';
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

/** Longest id the conversations service takes (RFC 5322's line limit). */
const MAX_ID = 998;

/**
 * Text in any charset becomes UTF-8: the declared one when TextDecoder knows
 * it (gbk, big5, shift_jis, iso-8859-x …), else UTF-8 if it already is, else
 * GB18030 (a superset of GBK and GB2312: what undeclared text in a Chinese
 * branch's mail almost always is).
 */
export function textToUtf8(data: Uint8Array, charset: string | undefined): Uint8Array {
  const label = charset?.trim().toLowerCase();
  if (label && label !== 'utf-8' && label !== 'utf8' && label !== 'us-ascii') {
    try {
      return Buffer.from(new TextDecoder(label).decode(data), 'utf8');
    } catch {
      // An unknown label: fall through to what the bytes look like.
    }
  }
  if (isUtf8(data)) return data;
  return Buffer.from(new TextDecoder('gb18030').decode(data), 'utf8');
}

/** A file name the store takes: no path separators or NULs, at most 255 characters, extension kept. */
function safeName(name: string | undefined): string {
  const n = (name ?? '').replace(/[/\\\0]/g, '_').trim();
  if (n === '') return 'attachment';
  return n.length > 255 ? `${n.slice(0, 240)}${n.slice(-15)}` : n;
}

function attachmentOf(a: MimePart): AttachmentInput {
  const name = safeName(a.filename);
  const mime = normaliseMime(a.contentType || 'application/octet-stream', name);
  if (!mime.startsWith('text/')) return { name, mime, data: new Uint8Array(a.content) };
  const ct = a.headers.get('content-type') as { params?: Record<string, string> } | undefined;
  return { name, mime: `${mime}; charset=utf-8`, data: textToUtf8(a.content, ct?.params?.['charset']) };
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
    ].filter((id) => id.length <= MAX_ID);
    const messageId = m.messageId ? normaliseId(m.messageId) : '';
    return {
      messageId: messageId && messageId.length <= MAX_ID ? messageId : syntheticId(raw),
      parents,
      from: from.address ?? envelopeFrom,
      fromName: from.name,
      to: allAddresses(m.to, m.cc),
      subject: m.subject ?? '',
      text: (m.text ?? '').trim(),
      attachments: m.attachments.map(attachmentOf),
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
  o: {
    threadKey: string;
    from: string;
    to: string[];
    /** The body and files as the channel's policy lets them be stored (see screen.ts). */
    screened: {
      text: string;
      attachments: AttachmentInput[];
      blocked: BlockedAttachmentInput[];
      truncated: boolean;
    };
  },
): InboundMessage {
  return {
    channel: 'email',
    // Unverified: SPF/DKIM are not checked here, so this address links only by the service's rules.
    handles: [{ kind: 'email', value: o.from.toLowerCase(), verified: false }],
    externalId: mail.messageId,
    threadKey: o.threadKey,
    text: o.screened.text,
    attachments: o.screened.attachments,
    ...(o.screened.blocked.length ? { blockedAttachments: o.screened.blocked } : {}),
    ...(mail.fromName ? { displayName: mail.fromName } : {}),
    receivedAt: new Date(),
    meta: {
      subject: mail.subject,
      messageId: mail.messageId,
      ...(mail.parents.length ? { inReplyTo: mail.parents.at(-1) as string } : {}),
      to: o.to.join(', '),
      ...(mail.raw ? { mimeError: 'unparseable MIME: raw text kept' } : {}),
      ...(o.screened.truncated ? { truncated: `${mail.text.length}` } : {}),
    },
  };
}
