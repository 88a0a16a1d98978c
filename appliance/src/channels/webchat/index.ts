/**
 * Web chat channel: the embeddable widget's WebSocket with resume by sequence
 * number, uploads, pre-chat identity, CSAT and the out-of-hours leave-a-message form.
 * @example
 * // module-list.ts, after conversationsModule:
 * export const MODULES = [conversationsModule, webchatModule];
 */

/** @example ClientFrame.parse({ t: 'ping' }) */
export type { ServerFrame } from './frames.ts';
export { ClientFrame, MAX_FRAME_BYTES } from './frames.ts';
/** @example MODULES.push(webchatModule) */
export { webchatModule } from './module.ts';
/** @example WebchatSettings.parse({ origins: ['https://bank.example'] }) */
export { DEFAULT_SETTINGS, WebchatSettings } from './settings.ts';
