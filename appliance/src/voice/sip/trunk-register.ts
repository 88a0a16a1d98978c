import { againIn, SupervisedLoop } from '../../events/index.ts';
import type { Logger } from '../../logging/index.ts';
import { newTag } from './dialog.ts';
import { header, param } from './message.ts';
import type { Peer, SipTransport } from './transport.ts';
import type { OutboundTrunkDoc } from './trunks.ts';
import { newCallId, requestWithAuth } from './uac.ts';

export interface TrunkRegistrationState {
  name: string;
  registered: boolean;
  /** Epoch ms the carrier's binding lapses. */
  expiresAt?: number;
  lastStatus?: number;
}

/**
 * Keeps one carrier registration alive: REGISTER with digest, refreshed at
 * 80% of the lifetime the carrier granted (at least 5 s before it lapses);
 * a failure retries after `retryMs`. One Call-ID per registration, CSeq rising.
 */
export class TrunkRegistration {
  readonly state: TrunkRegistrationState;
  #trunk: OutboundTrunkDoc;
  #transport: SipTransport;
  #logger: Logger;
  #onChange: (s: TrunkRegistrationState) => void;
  #loop: SupervisedLoop;
  #next: number | undefined;
  #status = 0;
  #callId = newCallId();
  #tag = newTag();
  #cseq = 0;
  #closed = false;
  #retryMs: number;

  constructor(
    trunk: OutboundTrunkDoc,
    o: {
      transport: SipTransport;
      logger: Logger;
      onChange?: (s: TrunkRegistrationState) => void;
      retryMs?: number;
    },
  ) {
    this.#trunk = trunk;
    this.#transport = o.transport;
    this.#logger = o.logger;
    this.#onChange = o.onChange ?? (() => undefined);
    this.#retryMs = o.retryMs ?? 30_000;
    this.state = { name: trunk.name, registered: false };
    // A REGISTER that throws (transport error) is logged and retried with back-off, never fatal.
    this.#loop = new SupervisedLoop(
      `voice.trunk_register:${trunk.name}`,
      async () => againIn(await this.#registerOnce()),
      {
        backoffMs: this.#retryMs,
        maxBackoffMs: Math.max(this.#retryMs, 300_000),
        log: this.#logger,
      },
    );
  }

  get peer(): Peer {
    return {
      host: this.#trunk.host,
      port: this.#trunk.port,
      ...(this.#trunk.transport === 'tcp' ? { transport: 'tcp' as const } : {}),
    };
  }

  /** Registers now (and keeps refreshing); resolves with the final status, 0 when no answer came. */
  async register(): Promise<number> {
    if (this.#closed) return 0;
    this.#loop.kick();
    await this.#loop.idle();
    return this.#status;
  }

  /** One REGISTER; returns when to send the next (refresh or retry). */
  async #registerOnce(): Promise<number | undefined> {
    this.#status = 0;
    this.#next = undefined;
    if (this.#closed) return undefined;
    const t = this.#trunk;
    const local = this.#transport.localFor(this.peer);
    const aor = `sip:${t.username}@${t.host}`;
    this.#cseq += 2;
    const req = {
      kind: 'request' as const,
      method: 'REGISTER',
      uri: `sip:${t.host}${t.port === 5060 ? '' : `:${t.port}`}`,
      headers: new Map<string, string[]>([
        ['max-forwards', ['70']],
        ['from', [`<${aor}>;tag=${this.#tag}`]],
        ['to', [`<${aor}>`]],
        ['call-id', [this.#callId]],
        ['cseq', [`${this.#cseq} REGISTER`]],
        ['contact', [`<sip:${t.username}@${local.host}:${local.port}>`]],
        ['expires', [String(t.expires)]],
      ]),
      body: Buffer.alloc(0),
    };
    const res = await requestWithAuth(this.#transport, req, this.peer, {
      username: t.username,
      password: t.password,
    });
    this.#status = res.status;
    if (this.#closed) return undefined;
    this.#cseq++;
    this.state.lastStatus = res.status;
    if (res.status >= 200 && res.status < 300) {
      const granted =
        Number(param(header(res, 'contact'), 'expires') ?? header(res, 'expires') ?? t.expires) || t.expires;
      this.state.registered = true;
      this.state.expiresAt = Date.now() + granted * 1000;
      const refreshMs = Math.max(1000, Math.min(granted * 800, granted * 1000 - 5000));
      this.#next = refreshMs;
    } else {
      this.state.registered = false;
      delete this.state.expiresAt;
      this.#logger.warn('trunk registration failed', { trunk: t.name, status: res.status });
      this.#next = this.#retryMs;
    }
    this.#onChange({ ...this.state });
    return this.#next;
  }

  close(): void {
    this.#closed = true;
    void this.#loop.close();
  }
}
