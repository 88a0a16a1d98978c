import type { WidgetLook } from './setup.ts';

/**
 * The web chat protocol's server → widget frames, typed once for the appliance
 * (channels/webchat) and the widget bundle (web/src/widget). Type-only: the
 * widget imports it with `import type`, so nothing here reaches its bundle.
 */

export interface WidgetFile {
  id: string;
  name: string;
  mime: string;
  bytes: number;
}

export interface WidgetMessage {
  seq: number;
  id: string;
  cid?: string;
  dir: 'in' | 'out';
  author: 'me' | 'agent' | 'bot';
  text: string;
  at: string;
  files: WidgetFile[];
}

/** What the upload endpoint accepts, sent with the welcome so the widget refuses a file before uploading it. */
export interface WidgetFileLimits {
  maxBytes: number;
  types: string[];
}

/** Where a waiting chat stands in its queue; `ewtSeconds` is null when nobody who could take it is signed in. */
export interface WidgetQueueInfo {
  position: number;
  ewtSeconds: number | null;
}

export type WidgetServerFrame =
  | {
      t: 'welcome';
      open: boolean;
      lastSeq: number;
      contactState?: string;
      /** The widget's look as the admin last saved it: wins over the embed snippet's attributes. */
      look?: WidgetLook;
      files?: WidgetFileLimits;
      /** The current (or last) chat has been rated already. */
      rated?: boolean;
    }
  | ({ t: 'msg' } & WidgetMessage)
  | { t: 'typing'; on: boolean }
  | { t: 'state'; contactState: string }
  /** Sent while the chat waits for an agent, again whenever its position or estimate changes. */
  | ({ t: 'queue' } & WidgetQueueInfo)
  | { t: 'error'; code: string; message: string }
  | { t: 'pong' };
