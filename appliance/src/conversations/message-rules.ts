import { BadInputError } from '../contracts/index.ts';
import { checkAttachments } from './attachments.ts';
import { ConversationsError } from './errors.ts';
import { type ConversationStore, contactOf } from './store.ts';
import type { AttachmentPolicy, Channel, Contact, HandleKind, InboundMessage, Message } from './types.ts';

const CHANNELS: ReadonlySet<Channel> = new Set(['webchat', 'email', 'wechat', 'wecom', 'voice']);
export const REPLY_TO: Record<Channel, HandleKind[]> = {
  webchat: ['web_visitor'],
  email: ['email'],
  wechat: ['wechat_openid'],
  wecom: ['wecom_external'],
  voice: ['phone'],
};
export const DELIVERY_RANK: Record<Message['delivery'], number> = {
  pending: 0,
  sent: 1,
  delivered: 2,
  read: 3,
  failed: 1,
};
export const MAX_TEXT = 64 * 1024;

export function invalid(message: string, field: string): ConversationsError {
  return new ConversationsError('CONVERSATIONS_INVALID_MESSAGE', message, { details: { field } });
}

export function checkInbound(m: InboundMessage, policy?: AttachmentPolicy): void {
  if (!CHANNELS.has(m.channel))
    throw new BadInputError('CONVERSATIONS_INVALID_MESSAGE', `Unknown channel: ${JSON.stringify(m.channel)}`);
  if (!m.externalId || m.externalId.length > 998)
    throw invalid('externalId must be 1–998 characters', 'externalId');
  if (!m.threadKey || m.threadKey.length > 998)
    throw invalid('threadKey must be 1–998 characters', 'threadKey');
  if (typeof m.text !== 'string' || m.text.length > MAX_TEXT)
    throw invalid(`text exceeds ${MAX_TEXT} characters`, 'text');
  if (!(m.receivedAt instanceof Date) || Number.isNaN(m.receivedAt.getTime()))
    throw invalid('Bad receivedAt', 'receivedAt');
  checkAttachments(m.attachments, policy);
  for (const b of m.blockedAttachments ?? []) {
    if (!(b.data instanceof Uint8Array))
      throw invalid('Blocked attachment without bytes', 'blockedAttachments');
  }
}

export function notFound(what: string, id: string): ConversationsError {
  return new ConversationsError('CONVERSATIONS_NOT_FOUND', `No ${what} [id:${id}]`, { status: 404 });
}

export async function mustContact(store: ConversationStore, id: string): Promise<Contact> {
  const d = await store.contact(id);
  if (!d) throw notFound('contact', id);
  return contactOf(d);
}
