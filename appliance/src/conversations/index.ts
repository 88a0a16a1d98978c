/**
 * Conversations: a customer's thread across channels; contacts (the routable
 * unit) with a validated lifecycle and an event per transition; messages with
 * encrypted text and attachments; replies through each channel's sender.
 * @example
 * const r = await services.conversations.ingest({ channel: 'email', handles: [{ kind: 'email', value: 'a@b.cn' }],
 *   externalId: '<m1@b.cn>', threadKey: '<m1@b.cn>', text: 'hello', receivedAt: new Date() });
 * services.conversations.registerSender({ channel: 'email', send: async ({ message, to }) => ({}) });
 * await services.conversations.transition(r.contactId, 'offered', { agentId: 'u1' });
 */

/**
 * Attachment policies: chat's fixed one, email's from settings; `attachmentProblem` says why a file may not be stored.
 * @example checkAttachment({ name: 'a.png', mime: 'image/png', data }) // throws on mismatch
 * @example attachmentProblem(file, mailAttachmentPolicy(config)) // 'type_not_allowed' | … | undefined
 */
export {
  ALLOWED_MIME,
  attachmentProblem,
  CHAT_ATTACHMENT_POLICY,
  checkAttachment,
  KNOWN_MIME,
  MAX_ATTACHMENT_BYTES,
  mailAttachmentPolicy,
} from './attachments.ts';
/** @example contactListKeys(contact) // ['ci:all:<createdAt>:<id>', 'ci:st:closed:<createdAt>:<id>', …] (bulk loads) */
export { contactListKeys } from './contact-index.ts';
export type { ConversationsErrorCode } from './errors.ts';
/** @example if (err instanceof ConversationsError && err.code === 'CONVERSATIONS_INVALID_TRANSITION') … */
export { ConversationsError } from './errors.ts';
/** @example normaliseMime('Application/Octet-Stream', 'invite.ics') // 'text/calendar' */
export { normaliseMime } from './file-types.ts';
/** @example TRANSITIONS.offered // ['active', 'queued', 'abandoned'] */
export { assertTransition, TRANSITIONS } from './lifecycle.ts';
/** @example MODULES.push(conversationsModule) */
export { conversationsModule } from './module.ts';
/** @example new ConversationService(new ConversationStore(db, blind), { customers, bus }) */
export { ConversationService } from './service.ts';
/** @example new ConversationStore(encryptedDb, (kind, v) => crypto.blindIndex(kind, v)) */
export { CONVERSATION_SEALED_FIELDS, ConversationStore, conversationKeyIdFor } from './store.ts';
export type * from './types.ts';
