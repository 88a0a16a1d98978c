/**
 * The widget's session logic, free of the DOM so Node tests drive it with the
 * `ws` client. Guarantees: every server message is delivered to `onMessage`
 * once and in sequence order across reconnects (resume after `lastSeq`); every
 * sent message is stored once (client ids make resends idempotent).
 */

import type {
  WidgetServerFrame as ServerFrame,
  WidgetFileLimits,
  WidgetLook,
  WidgetMessage,
  WidgetQueueInfo,
} from '../../../appliance/src/contracts/index.ts';

export type {
  WidgetFile,
  WidgetFileLimits,
  WidgetLook,
  WidgetMessage,
  WidgetQueueInfo,
} from '../../../appliance/src/contracts/index.ts';
export type { ServerFrame };

export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

/** What the welcome tells the widget about the chat it resumes. */
export interface Welcome {
  open: boolean;
  contactState?: string;
  look?: WidgetLook;
  files?: WidgetFileLimits;
  rated?: boolean;
}

export interface SessionOptions {
  url: string;
  token: string;
  connect: (url: string) => SocketLike;
  onMessage: (m: WidgetMessage) => void;
  onWelcome?: (w: Welcome) => void;
  /** The chat's place in its queue while it waits for an agent. */
  onQueue?: (q: WidgetQueueInfo) => void;
  onState?: (contactState: string) => void;
  onTyping?: (on: boolean) => void;
  onError?: (code: string, message: string) => void;
  onConnection?: (up: boolean) => void;
  /** Delay before reconnect attempt n (default: 250 ms doubling to 10 s). */
  backoff?: (attempt: number) => number;
  lastSeq?: number;
}

interface Pending {
  cid: string;
  text: string;
  files?: string[];
  /** Set for the out-of-hours form: sent as a `leave` frame with these contact details. */
  leave?: LeaveForm;
}

/** Contact details on the out-of-hours form; the server wants a phone or an email. */
export interface LeaveForm {
  name?: string;
  phone?: string;
  email?: string;
}

const OPEN = 1;

/** A random id safe for the protocol's `[A-Za-z0-9_-]` alphabet. */
export function randomId(bytes = 16): string {
  const b = new Uint8Array(bytes);
  globalThis.crypto.getRandomValues(b);
  let s = '';
  for (const x of b) s += String.fromCharCode(x);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function frameOf(p: Pending): Record<string, unknown> {
  if (p.leave) return { t: 'leave', cid: p.cid, text: p.text, ...p.leave };
  return { t: 'send', cid: p.cid, text: p.text, ...(p.files ? { files: p.files } : {}) };
}

export class WidgetSession {
  #o: SessionOptions;
  #ws: SocketLike | undefined;
  #outbox: Pending[] = [];
  #attempt = 0;
  #closed = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #ackTimer: ReturnType<typeof setTimeout> | undefined;
  lastSeq: number;

  constructor(o: SessionOptions) {
    this.#o = o;
    this.lastSeq = o.lastSeq ?? 0;
  }

  /** Messages sent but not yet confirmed by the server, in send order. */
  get unconfirmed(): number {
    return this.#outbox.length;
  }

  get connected(): boolean {
    return this.#ws?.readyState === OPEN;
  }

  start(): void {
    if (this.#closed || this.#ws) return;
    const ws = this.#o.connect(this.#o.url);
    this.#ws = ws;
    ws.onopen = () => {
      this.#attempt = 0;
      this.#raw({ t: 'hello', token: this.#o.token, lastSeq: this.lastSeq });
      for (const p of this.#outbox) this.#raw(frameOf(p));
      this.#o.onConnection?.(true);
    };
    ws.onmessage = (ev) => this.#onFrame(ev.data);
    ws.onerror = () => undefined;
    ws.onclose = () => {
      if (this.#ws !== ws) return;
      this.#ws = undefined;
      this.#o.onConnection?.(false);
      if (this.#closed) return;
      const delay = (this.#o.backoff ?? ((n) => Math.min(10_000, 250 * 2 ** n)))(this.#attempt++);
      this.#timer = setTimeout(() => this.start(), delay);
    };
  }

  /** Queues a message; it is (re)sent until the server confirms it. Returns its client id. */
  send(text: string, files?: string[]): string {
    const p: Pending = { cid: randomId(12), text, ...(files?.length ? { files } : {}) };
    this.#outbox.push(p);
    this.#raw(frameOf(p));
    return p.cid;
  }

  /** Out of hours: leaves a message with contact details; resent until confirmed like `send`. */
  leave(form: LeaveForm, text: string): string {
    const p: Pending = { cid: randomId(12), text, leave: form };
    this.#outbox.push(p);
    this.#raw(frameOf(p));
    return p.cid;
  }

  typing(on: boolean): void {
    this.#raw({ t: 'typing', on });
  }

  prechat(form: { name?: string; phone?: string; email?: string }): void {
    this.#raw({ t: 'prechat', ...form });
  }

  csat(score: number): void {
    this.#raw({ t: 'csat', score });
  }

  read(): void {
    this.#raw({ t: 'read', seq: this.lastSeq });
  }

  /** Drops the current socket as a network failure would; the session reconnects. */
  drop(): void {
    this.#ws?.close();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    clearTimeout(this.#ackTimer);
    this.#ws?.close();
    this.#ws = undefined;
  }

  #raw(frame: Record<string, unknown>): void {
    if (this.#ws?.readyState === OPEN) this.#ws.send(JSON.stringify(frame));
  }

  #onFrame(data: unknown): void {
    let f: ServerFrame;
    try {
      f = JSON.parse(String(data)) as ServerFrame;
    } catch {
      return;
    }
    switch (f.t) {
      case 'msg': {
        if (f.cid) this.#outbox = this.#outbox.filter((p) => p.cid !== f.cid);
        if (f.seq <= this.lastSeq) return;
        this.lastSeq = f.seq;
        const { t: _t, ...m } = f;
        this.#o.onMessage(m);
        this.#scheduleAck();
        return;
      }
      case 'welcome': {
        const { t: _t, lastSeq: _s, ...w } = f;
        this.#o.onWelcome?.(w);
        return;
      }
      case 'queue':
        this.#o.onQueue?.({ position: f.position, ewtSeconds: f.ewtSeconds });
        return;
      case 'state':
        this.#o.onState?.(f.contactState);
        return;
      case 'typing':
        this.#o.onTyping?.(f.on);
        return;
      case 'error':
        this.#o.onError?.(f.code, f.message);
        return;
      default:
        return;
    }
  }

  #scheduleAck(): void {
    if (this.#ackTimer) return;
    this.#ackTimer = setTimeout(() => {
      this.#ackTimer = undefined;
      this.#raw({ t: 'ack', seq: this.lastSeq });
    }, 200);
  }
}
