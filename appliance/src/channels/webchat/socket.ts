import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import { DomainError } from '../../contracts/index.ts';
import { assertWellFormedText } from '../../http/index.ts';
import { createLogger } from '../../logging/index.ts';
import { ClientFrame, MAX_FRAME_BYTES, type ServerFrame } from './frames.ts';
import type { WebchatHub } from './hub.ts';

const log = createLogger('webchat');

/**
 * The widget's public WebSocket (`/widget/ws`): no session cookie, a visitor
 * token instead; Origins checked against the widget's allow-list. Bad input
 * gets an error frame and the socket stays up; frames beyond 1 MiB are cut by ws.
 */
export class WidgetSockets {
  #wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  #hub: WebchatHub;
  #vidOf: (token: string) => string;
  #originOk: (origin: string | undefined) => Promise<boolean>;
  #closed = false;

  constructor(
    hub: WebchatHub,
    o: { vidOf: (token: string) => string; originOk: (origin: string | undefined) => Promise<boolean> },
  ) {
    this.#hub = hub;
    this.#vidOf = o.vidOf;
    this.#originOk = o.originOk;
  }

  async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    if (this.#closed || !(await this.#originOk(req.headers.origin))) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    this.#wss.handleUpgrade(req, socket, head, (ws) => this.#attach(ws));
  }

  #attach(ws: WebSocket): void {
    let vid: string | undefined;
    const peer = {
      send: (f: ServerFrame) => {
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(f));
      },
    };
    // Frames from one socket are handled strictly in order.
    let chain: Promise<void> = Promise.resolve();
    ws.on('message', (raw: RawData, isBinary: boolean) => {
      chain = chain.then(() => this.#onFrame(raw, isBinary, peer, vid, (v) => (vid = v)));
    });
    ws.on('error', (err) => log.debug('widget socket error', { err }));
    ws.on('close', () => {
      if (vid) this.#hub.detach(vid, peer);
    });
  }

  async #onFrame(
    raw: RawData,
    isBinary: boolean,
    peer: { send(f: ServerFrame): void },
    vid: string | undefined,
    setVid: (v: string) => void,
  ): Promise<void> {
    const bytes = Array.isArray(raw) ? raw.reduce((n, b) => n + b.length, 0) : (raw as Buffer).byteLength;
    if (bytes > MAX_FRAME_BYTES)
      return peer.send(err('WEBCHAT_FRAME_TOO_LARGE', `Frames are limited to ${MAX_FRAME_BYTES} bytes`));
    if (isBinary) return peer.send(err('WEBCHAT_BAD_FRAME', 'Binary frames are not accepted'));
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString());
    } catch {
      return peer.send(err('WEBCHAT_BAD_FRAME', 'Frame is not JSON'));
    }
    // ws already refuses invalid UTF-8 (close 1007); a lone surrogate escape or NUL parses fine
    // and would be stored as U+FFFD: refused here with the same code as the HTTP API.
    try {
      assertWellFormedText(parsed);
    } catch (e) {
      if (e instanceof DomainError) return peer.send(err(e.code, e.message));
      throw e;
    }
    const frame = ClientFrame.safeParse(parsed);
    if (!frame.success) return peer.send(err('WEBCHAT_BAD_FRAME', 'Frame does not match the protocol'));
    let id = vid;
    if (frame.data.t === 'hello') {
      const next = this.#vidOf(frame.data.token);
      if (id && id !== next) this.#hub.detach(id, peer);
      id = next;
      setVid(next);
    }
    if (!id) return peer.send(err('WEBCHAT_NOT_READY', 'Send hello first'));
    try {
      await this.#hub.handle(id, peer, frame.data);
    } catch (e) {
      if (e instanceof DomainError) return peer.send(err(e.code, e.message));
      log.warn('widget frame failed', { err: e });
      peer.send(err('WEBCHAT_INTERNAL', 'Could not process the frame'));
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const c of this.#wss.clients) c.terminate();
    this.#wss.close();
  }
}

function err(code: string, message: string): ServerFrame {
  return { t: 'error', code, message };
}
