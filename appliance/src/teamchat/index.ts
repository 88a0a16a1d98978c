/**
 * Team chat: direct, group and consult channels between staff, presence,
 * @mentions delivered only to the mentioned user, unread counts, bodies sealed at rest.
 * @example
 * const chat = ctx.services.teamchat;
 * await chat?.startConsult({ contactId: 'c-42', expertUserId: 'u-expert', topic: '客户询问理赔材料' }, { userId: 'u-agent' });
 */

export type { TeamChatErrorCode } from './errors.ts';
/**
 * Coded team-chat errors (TEAMCHAT_NOT_FOUND, TEAMCHAT_UNKNOWN_USER, …).
 * @example
 * if (err instanceof TeamChatError && err.code === 'TEAMCHAT_NOT_FOUND') showGone();
 */
export { TeamChatError } from './errors.ts';
/**
 * `@username` mentions in a message body, lowercased, each once.
 * @example
 * parseMentions('@Li.Lei please check'); // ['li.lei']
 */
export { parseMentions } from './mentions.ts';
/**
 * The module to list in module-list.ts; provides `services.teamchat`.
 * @example
 * export const MODULES = [teamChatModule];
 */
export { teamChatModule } from './module.ts';
/**
 * Presence from sessions and console heartbeats.
 * @example
 * const p = new PresenceTracker(); p.heartbeat('u1', 'online'); p.statusOf('u1'); // 'online'
 */
export { PresenceTracker } from './presence.ts';
export type { PeopleList } from './routes.ts';
/**
 * The `/api/teamchat/*` routes and the console path of a live contact.
 * @example
 * app.route('/api', teamChatRoutes(service, { people }));
 */
export { contactLink, teamChatRoutes } from './routes.ts';
/**
 * Channels, messages, consults, unread counts.
 * @example
 * const chat = new TeamChatService(encryptedDb, { bus, directory, recordRead });
 * const ch = await chat.openDirect('u-b', { userId: 'u-a' });
 * await chat.post(ch.id, 'hi @bob', { userId: 'u-a' });
 */
export { TeamChatService } from './service.ts';
export type * from './types.ts';
