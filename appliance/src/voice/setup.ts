import { join } from 'node:path';
import type { EventBus } from '../events/index.ts';
import type { AsrPort, RunOptions, TtsPort } from '../flows/index.ts';
import type { Logger } from '../logging/index.ts';
import type { CryptoFacade, DocStore } from '../storage/index.ts';
import { VoiceService } from './calls.ts';
import { MediaWorker } from './media/supervisor.ts';
import { RecordingService } from './recording/service.ts';
import { NonceIssuer } from './sip/digest.ts';
import { type GuardOptions, SourceGuard } from './sip/guard.ts';
import { SipAccounts } from './sip/registrar.ts';
import { SipTransport } from './sip/transport.ts';
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
}

/** Everything voice needs, wired; `listen(port)` opens the SIP socket and starts the media worker. */
export class VoiceStack {
  readonly service: VoiceService;
  readonly recordings: RecordingService;
  readonly accounts: SipAccounts;
  readonly guard: SourceGuard;
  readonly worker: MediaWorker;
  readonly transport: SipTransport;
  #closed = false;

  constructor(o: VoiceStackOptions) {
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
    });
    this.service = service;
  }

  async listen(port: number, host: string): Promise<{ host: string; port: number }> {
    await this.worker.start();
    return this.transport.listen(port, host);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.service.close();
    this.transport.close();
    await this.worker.close();
  }
}
