/**
 * Web chat channel: the embeddable widget's WebSocket with resume by sequence
 * number, uploads, pre-chat identity, CSAT and out-of-hours messages.
 * @example
 * // module-list.ts, after conversationsModule:
 * export const MODULES = [conversationsModule, webchatModule];
 */

/** @example ClientFrame.parse({ t: 'ping' }) */
export type { ServerFrame } from './frames.ts';
export { ClientFrame, MAX_FRAME_BYTES } from './frames.ts';
/** @example MODULES.push(webchatModule) */
export { webchatModule } from './module.ts';
/** @example isOpenAt({ hours: [{ days: [1], from: '09:00', to: '18:00' }], timeZone: 'Asia/Shanghai', origins: ['*'] }, new Date()) */
export { DEFAULT_SETTINGS, isOpenAt, WebchatSettings } from './settings.ts';
