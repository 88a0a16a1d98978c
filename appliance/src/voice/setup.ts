import { join } from 'node:path';
import type { EventBus } from '../events/index.ts';
import type { AsrPort, RunOptions, TtsPort } from '../flows/index.ts';
import type { Logger } from '../logging/index.ts';
import type { CryptoFacade, DocStore } from '../storage/index.ts';
import type { VoiceDeps } from './call-types.ts';
import { VoiceService } from './calls.ts';
import { DialQuota } from './dial-quota.ts';
import { Dialout, type DialoutPolicy } from './dialout.ts';
import { VoiceError } from './errors.ts';
import { MediaWorker } from './media/supervisor.ts';
import { type ExportSigner, RecordingExports } from './recording/export.ts';
import { type ContactOwner, LegalHolds } from './recording/holds.ts';
import { RecordingRetention } from './recording/retention.ts';
import { RecordingService } from './recording/service.ts';
import { NonceIssuer } from './sip/digest.ts';
import { type BlockedSource, type GuardOptions, SourceGuard } from './sip/guard.ts';
import { type SipAccountDoc, SipAccounts } from './sip/registrar.ts';
import { type Peer, SipTransport, type StreamListenOptions } from './sip/transport.ts';
import { TrunkRegistration, type TrunkRegistrationState } from './sip/trunk-register.ts';
import { OutboundTrunks, type OutboundTrunkView, type TrunkInput, trunkView } from './sip/trunks.ts';
import { placeTestCall } from './test-call.ts';
import type { CallInfo, VoiceOptions } from './types.ts';
import { assertUnused, phoneUsage, trunkUsage, type VoiceUsagePorts } from './usage.ts';

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
  /** Position and estimated wait of a queued contact (routing), announced to the caller. */
  queuePosition?: VoiceDeps['queuePosition'];
  /** Checks a SIP account's owner exists (identity); absent = not checked. */
  userExists?: (userId: string) => Promise<boolean>;
  /** Clock of the retention purge (tests use a fake one). */
  now?: () => number;
  /** Dial-out limits; prefixes default to `voice.allowedPrefixes`. */
  dialout?: Partial<DialoutPolicy>;
  /** Retry delay after a failed carrier registration. */
  trunkRetryMs?: number;
  /** Who else names phones and trunks (users' names, IVR flows): deletes in use are refused. */
  usage?: VoiceUsagePorts;
  /** Signs recording exports (the audit key); absent = exports are refused. */
  exportSigner?: () => ExportSigner | undefined;
  /** The customer of a contact, so a hold on a contact also blocks that customer's erasure. */
  contactOwner?: ContactOwner;
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
  readonly holds: LegalHolds;
  readonly exports: RecordingExports;
  readonly trunks: OutboundTrunks;
  readonly dialout: Dialout;
  #registrations = new Map<string, TrunkRegistration>();
  #listening = false;
  #o: VoiceStackOptions;
  #closed = false;

  constructor(o: VoiceStackOptions) {
    this.#o = o;
    this.accounts = new SipAccounts(o.accountsStore, { realm: o.voice.realm });
    this.guard = new SourceGuard(o.guard);
    // Blocks and trunk overload are audited: one event per source per block (or window).
    this.guard.onBlocked = (b) =>
      void o.bus.publish(b.reason === 'trunk_flood' ? 'sip.trunk_throttled' : 'sip.source_blocked', {
        source: b.source,
        reason: b.reason,
        requests: b.requests,
        until: new Date(b.until).toISOString(),
      });
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
      trunks: o.voice.trustedTrunks,
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
      options: {
        ...o.voice,
        // An inbound trunk call is matched to its carrier by source host (trusted trunks have no account).
        trunkSrtp:
          o.voice.trunkSrtp ??
          (async (host) => (await this.trunks.list()).find((t) => t.host === host)?.srtp),
      },
      bind: o.bind,
      ...(o.runOptions ? { runOptions: o.runOptions } : {}),
      ...(o.identifyCaller ? { identifyCaller: o.identifyCaller } : {}),
      ...(o.openContact ? { openContact: o.openContact } : {}),
      ...(o.queuePosition ? { queuePosition: o.queuePosition } : {}),
    });
    this.service = service;
    this.trunks = new OutboundTrunks(o.accountsStore);
    this.dialout = new Dialout({
      transport: this.transport,
      accounts: this.accounts,
      trunks: this.trunks,
      worker: this.worker,
      service,
      bus: o.bus,
      logger: o.logger,
      bind: o.bind,
      policy: {
        allowedPrefixes: o.dialout?.allowedPrefixes ?? o.voice.allowedPrefixes,
        maxConcurrentPerUser: o.dialout?.maxConcurrentPerUser ?? 1,
        maxDailyPerUser: o.dialout?.maxDailyPerUser ?? 100,
      },
      quota: new DialQuota(o.accountsStore, o.now ? { now: o.now } : {}),
      denoise: o.voice.noiseSuppression === true,
      options: {
        ...(o.voice.sdesOverPlain !== undefined ? { sdesOverPlain: o.voice.sdesOverPlain } : {}),
        ...(o.voice.srtpAlarmThreshold !== undefined
          ? { srtpAlarmThreshold: o.voice.srtpAlarmThreshold }
          : {}),
      },
    });
    this.retention = new RecordingRetention(o.recordingsStore, {
      recordings: this.recordings,
      bus: o.bus,
      logger: o.logger,
      ...(o.now ? { now: o.now } : {}),
    });
    this.holds = new LegalHolds(o.recordingsStore, {
      bus: o.bus,
      recordings: this.recordings,
      ...(o.now ? { now: o.now } : {}),
      ...(o.contactOwner ? { contactOwner: o.contactOwner } : {}),
    });
    // Legal holds are the first thing the purge asks; others (the off-box archive) add their own guards.
    this.recordings.addPurgeGuard((r) => this.holds.reasonToKeep(r));
    this.exports = new RecordingExports(o.recordingsStore, {
      recordings: this.recordings,
      holds: this.holds,
      signer: o.exportSigner ?? (() => undefined),
      ...(o.now ? { now: o.now } : {}),
    });
  }

  /** Records the queue, contact and customer of a call the IVR enqueued, and its retention class. */
  async linkRecording(callId: string, to: { queue?: string; contactId?: string; customerId?: string }) {
    const cls = await this.retention.classFor(to.queue);
    await this.recordings.link(callId, { ...to, ...(cls === 'default' ? {} : { class: cls }) });
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

  /** Changes a phone's owner, policy or password (audited; the password itself never is). */
  async updateAccount(
    username: string,
    patch: Parameters<SipAccounts['update']>[1],
    actor: { userId: string; source?: string },
  ): Promise<SipAccountDoc> {
    if (patch.userId && this.#o.userExists && !(await this.#o.userExists(patch.userId)))
      throw new VoiceError('VOICE_UNKNOWN_USER', `No user ${patch.userId}`, { field: 'userId' });
    const account = await this.accounts.update(username, patch);
    if (!account) throw new VoiceError('VOICE_ACCOUNT_NOT_FOUND', `No SIP account ${username}`);
    await this.#o.bus.publish(
      'sip.account_updated',
      {
        username,
        ...(account.userId ? { userId: account.userId } : {}),
        passwordChanged: patch.password !== undefined,
      },
      { actor: actor.userId, ...(actor.source ? { source: actor.source } : {}) },
    );
    return account;
  }

  /** Deletes a phone account (audited); VOICE_ACCOUNT_IN_USE (409, details.usedBy) while an agent or an IVR flow uses it. */
  async deleteAccount(username: string, actor: { userId: string; source?: string }): Promise<void> {
    const account = await this.accounts.get(username);
    if (!account) throw new VoiceError('VOICE_ACCOUNT_NOT_FOUND', `No SIP account ${username}`);
    assertUnused('VOICE_ACCOUNT_IN_USE', username, await phoneUsage(account, this.#o.usage ?? {}));
    if (!(await this.accounts.remove(username)))
      throw new VoiceError('VOICE_ACCOUNT_NOT_FOUND', `No SIP account ${username}`);
    await this.#o.bus.publish(
      'sip.account_deleted',
      { username },
      { actor: actor.userId, ...(actor.source ? { source: actor.source } : {}) },
    );
  }

  /** Rings a registered desk phone and plays a prompt (audited); 409 VOICE_PHONE_NOT_REGISTERED otherwise. */
  async testCall(
    username: string,
    prompt: { text: string; lang: 'en' | 'zh' },
    actor: { userId: string; source?: string },
  ): Promise<{ callId: string }> {
    const placed = await placeTestCall(
      {
        transport: this.transport,
        accounts: this.accounts,
        worker: this.worker,
        tts: this.#o.tts,
        logger: this.#o.logger,
        bind: this.#o.bind,
        options: {
          ...(this.#o.voice.sdesOverPlain !== undefined
            ? { sdesOverPlain: this.#o.voice.sdesOverPlain }
            : {}),
          ...(this.#o.voice.srtpAlarmThreshold !== undefined
            ? { srtpAlarmThreshold: this.#o.voice.srtpAlarmThreshold }
            : {}),
        },
      },
      username,
      prompt,
    );
    await this.#o.bus.publish(
      'sip.test_call_placed',
      { username, callId: placed.callId },
      { actor: actor.userId, ...(actor.source ? { source: actor.source } : {}) },
    );
    return placed;
  }

  /** Blocked SIP sources now (auth brute force, floods, manual), with why and until when. */
  blockedSources(): BlockedSource[] {
    return this.guard.list();
  }

  /** Releases a blocked source, its counters reset (audited); VOICE_SOURCE_NOT_BLOCKED when it is not blocked. */
  async releaseSource(source: string, actor: { userId: string; source?: string }): Promise<void> {
    if (!this.guard.unblock(source))
      throw new VoiceError('VOICE_SOURCE_NOT_BLOCKED', `SIP source ${source} is not blocked`);
    await this.#o.bus.publish(
      'sip.source_released',
      { source },
      { actor: actor.userId, ...(actor.source ? { source: actor.source } : {}) },
    );
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
    this.#listening = true;
    for (const t of await this.trunks.list()) this.#startRegistration(t.name);
    if (!streams) return udp;
    const at = await this.transport.listenStreams(host, streams);
    return { ...udp, ...(at.tcp ? { tcp: at.tcp } : {}), ...(at.tls ? { tls: at.tls } : {}) };
  }

  /** Stores (or replaces) an outbound carrier trunk, password sealed, and (re)starts its registration. */
  async putTrunk(input: TrunkInput, actor: { userId: string; source?: string }): Promise<OutboundTrunkView> {
    const t = await this.trunks.put(input);
    await this.#o.bus.publish(
      'sip.trunk_saved',
      { trunk: t.name, host: t.host },
      { actor: actor.userId, ...(actor.source ? { source: actor.source } : {}) },
    );
    if (this.#listening) this.#startRegistration(t.name);
    return trunkView(t);
  }

  /** Deletes a carrier trunk (audited); VOICE_TRUNK_IN_USE (409) when dial-out is on and it is the last trunk. */
  async deleteTrunk(name: string, actor: { userId: string; source?: string }): Promise<void> {
    const trunks = await this.trunks.list();
    if (trunks.some((t) => t.name === name))
      assertUnused(
        'VOICE_TRUNK_IN_USE',
        name,
        trunkUsage(name, {
          trunks,
          dialoutPrefixes: this.#o.dialout?.allowedPrefixes ?? this.#o.voice.allowedPrefixes,
        }),
      );
    if (!(await this.trunks.remove(name))) throw new VoiceError('VOICE_TRUNK_NOT_FOUND', `No trunk ${name}`);
    this.#registrations.get(name)?.close();
    this.#registrations.delete(name);
    await this.#o.bus.publish(
      'sip.trunk_deleted',
      { trunk: name },
      { actor: actor.userId, ...(actor.source ? { source: actor.source } : {}) },
    );
  }

  async listTrunks(): Promise<Array<OutboundTrunkView & { registration?: TrunkRegistrationState }>> {
    return (await this.trunks.list()).map((t) => {
      const r = this.#registrations.get(t.name)?.state;
      return { ...trunkView(t), ...(r ? { registration: { ...r } } : {}) };
    });
  }

  /** Registers a trunk now (also what the refresh timer does); resolves with the carrier's status. */
  registerTrunk(name: string): Promise<number> {
    return this.#registrations.get(name)?.register() ?? Promise.resolve(0);
  }

  #startRegistration(name: string): void {
    this.#registrations.get(name)?.close();
    this.#registrations.delete(name);
    void this.trunks.get(name).then((t) => {
      if (!t?.register || this.#closed) return;
      const reg = new TrunkRegistration(t, {
        transport: this.transport,
        logger: this.#o.logger,
        ...(this.#o.trunkRetryMs ? { retryMs: this.#o.trunkRetryMs } : {}),
        onChange: (s) =>
          void this.#o.bus.publish('sip.trunk_registration_changed', {
            trunk: s.name,
            registered: s.registered,
            ...(s.lastStatus ? { status: s.lastStatus } : {}),
          }),
      });
      this.#registrations.set(name, reg);
      void reg.register();
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const r of this.#registrations.values()) r.close();
    this.retention.close();
    await this.service.close();
    this.transport.close();
    await this.worker.close();
  }
}
