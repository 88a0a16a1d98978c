import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { SipFramer } from '../../appliance/src/voice/index.ts';

/** A SIP client over TCP or TLS that collects framed messages as text. */
export class StreamClient {
  readonly socket: Socket;
  readonly messages: string[] = [];
  closed = false;
  #framer = new SipFramer({ maxBytes: 65536 });
  #waiters: Array<() => void> = [];

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (b: Buffer) => {
      for (const m of this.#framer.push(b).messages) this.messages.push(m.toString('latin1'));
      for (const w of this.#waiters.splice(0)) w();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  static async open(
    kind: 'tcp' | 'tls',
    to: { host: string; port: number },
    ca?: string,
  ): Promise<StreamClient> {
    const s =
      kind === 'tls'
        ? tlsConnect({ host: to.host, port: to.port, ca, servername: 'localhost' })
        : netConnect({ host: to.host, port: to.port });
    await new Promise<void>((resolve, reject) => {
      s.once(kind === 'tls' ? 'secureConnect' : 'connect', () => resolve());
      s.once('error', reject);
    });
    return new StreamClient(s);
  }

  send(text: string | Buffer): void {
    this.socket.write(text);
  }

  /** Waits for the next message matching `re` (after those already consumed). */
  async waitFor(re: RegExp, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.messages.findIndex((m) => re.test(m));
      if (i >= 0) return this.messages.splice(0, i + 1)[i] ?? '';
      if (this.closed || Date.now() > deadline) throw new Error(`no message matching ${re}`);
      await new Promise<void>((r) => {
        this.#waiters.push(r);
        setTimeout(r, 200);
      });
    }
  }

  async waitClosed(timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.closed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return this.closed;
  }

  close(): void {
    this.socket.destroy();
  }
}
