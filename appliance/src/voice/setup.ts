import { join } from 'node:path';
import type { EventBus } from '../events/index.ts';
import type { AsrPort, RunOptions, TtsPort } from '../flows/index.ts';
import type { Logger } from '../logging/index.ts';
import type { CryptoFacade, DocStore } from '../storage/index.ts';
import { type VoiceDeps, VoiceService } from './calls.ts';
import { VoiceError } from './errors.ts';
import { MediaWorker } from './media/supervisor.ts';
import { RecordingRetention } from './recording/retention.ts';
import { RecordingService } from './recording/service.ts';
import { NonceIssuer } from './sip/digest.ts';
import { type GuardOptions, SourceGuard } from './sip/guard.ts';
import { type SipAccountDoc, SipAccounts } from './sip/registrar.ts';
import { type Peer, SipTransport, type StreamListenOptions } from './sip/transport.ts';
import type { CallInfo, VoiceOptions } from './types.ts';

export interface VoiceStackOptions {
  accountsStore: DocStore;
  recordingsStore: DocStore;
  crypto: CryptoFacade;
  bus: EventBus;
  logger: Logger;
  dataDir: string;
  bind: string;
  voice: VoiceOptions;
  tts: TtsPort;
  asr: AsrPort;
  guard?: GuardOptions;
  runOptions?: (call: CallInfo, callerId: string | undefined) => RunOptions;
  identifyCaller?: (phone: string) => Promise<string | undefined>;
  openContact?: VoiceDeps['openContact'];
  /** Checks a SIP account's owner exists (identity); absent = not checked. */
  userExists?: (userId: string) => Promise<boolean>;
  /** Clock of the retention purge (tests use a fake one). */
  now?: () => number;
}

/** Everything voice needs, wired; `listen(port)` opens the SIP socket and starts the media worker. */
export class VoiceStack {
  readonly service: VoiceService;
  readonly recordings: RecordingService;
  readonly accounts: SipAccounts;
  readonly guard: SourceGuard;
  readonly worker: MediaWorker;
  readonly transport: SipTransport;
  readonly retention: RecordingRetention;
  #o: VoiceStackOptions;
  #closed = false;

  constructor(o: VoiceStackOptions) {
    this.#o = o;
    this.accounts = new SipAccounts(o.accountsStore, { realm: o.voice.realm });
    this.guard = new SourceGuard(o.guard);
    this.recordings = new RecordingService(o.recordingsStore, {
      crypto: o.crypto,
      dir: join(o.dataDir, 'recordings'),
    });
    let service: VoiceService | undefined;
    this.worker = new MediaWorker({
      logger: o.logger,
      onCrash: (detail) => void service?.onWorkerCrash(detail),
    });
    this.transport = new SipTransport((req, from) => service?.handle(req, from), {
      guard: this.guard,
      logger: o.logger,
    });
    service = new VoiceService({
      transport: this.transport,
      accounts: this.accounts,
      nonces: new NonceIssuer(),
      guard: this.guard,
      worker: this.worker,
      recordings: this.recordings,
      tts: o.tts,
      asr: o.asr,
      bus: o.bus,
      logger: o.logger,
      options: o.voice,
      bind: o.bind,
      ...(o.runOptions ? { runOptions: o.runOptions } : {}),
      ...(o.identifyCaller ? { identifyCaller: o.identifyCaller } : {}),
      ...(o.openContact ? { openContact: o.openContact } : {}),
    });
    this.service = service;
    this.retention = new RecordingRetention(o.recordingsStore, {
      recordings: this.recordings,
      bus: o.bus,
      logger: o.logger,
      ...(o.now ? { now: o.now } : {}),
    });
  }

  /** A phone account; with `userId` it is that agent's phone, rung when they accept a call. */
  async createAccount(
    input: Parameters<SipAccounts['create']>[0],
    actor: { userId: string; source?: string },
  ): Promise<SipAccountDoc> {
    if (await this.accounts.get(input.username))
      throw new VoiceError('VOICE_ACCOUNT_EXISTS', `SIP account ${input.username} exists`);
    if (input.userId && this.#o.userExists && !(await this.#o.userExists(input.userId)))
      throw new VoiceError('VOICE_UNKNOWN_USER', `No user ${input.userId}`, { field: 'userId' });
    const account = await this.accounts.create(input);
    await this.#o.bus.publish(
      'sip.account_created',
      { username: account.username, ...(account.userId ? { userId: account.userId } : {}) },
      { actor: actor.userId, ...(actor.source ? { source: actor.source } : {}) },
    );
    return account;
  }

  /** Opens UDP, then (with `streams`) TCP on the same port number and TLS if configured. */
  async listen(
    port: number,
    host: string,
    streams?: StreamListenOptions,
  ): Promise<{ host: string; port: number; tcp?: Peer; tls?: Peer }> {
    // No call is live yet: recordings still 'recording' were cut off by a crash.
    const interrupted = await this.recordings.markInterrupted();
    if (interrupted.length > 0) await this.#o.bus.publish('recording.interrupted', { callIds: interrupted });
    await this.worker.start();
    const udp = await this.transport.listen(port, host);
    if (!streams) return udp;
    const at = await this.transport.listenStreams(host, streams);
    return { ...udp, ...(at.tcp ? { tcp: at.tcp } : {}), ...(at.tls ? { tls: at.tls } : {}) };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.retention.close();
    await this.service.close();
    this.transport.close();
    await this.worker.close();
  }
}
