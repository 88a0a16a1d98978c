import type { EventBus } from '../events/index.ts';
import type { AsrPort, RunOptions, TtsPort } from '../flows/index.ts';
import type { Logger } from '../logging/index.ts';
import type { CallMediaIO } from './call-io.ts';
import type { CallRecording } from './call-recording.ts';
import type { CallTable } from './call-table.ts';
import type { MediaWorker } from './media/supervisor.ts';
import type { QueuePositionPort } from './queue-wait.ts';
import type { RecordingService } from './recording/service.ts';
import type { Dialog } from './sip/dialog.ts';
import type { NonceIssuer } from './sip/digest.ts';
import type { SourceGuard } from './sip/guard.ts';
import type { SipResponse } from './sip/message.ts';
import type { SipAccounts } from './sip/registrar.ts';
import type { SipTransport } from './sip/transport.ts';
import type { LocalCrypto } from './srtp-policy.ts';
import type { CallControl } from './transfer.ts';
import type { CallInfo, VoiceOptions } from './types.ts';

export interface Call {
  info: CallInfo;
  dialog: Dialog;
  inviteKey: string;
  lastResponse: SipResponse | undefined;
  retransmit: NodeJS.Timeout | undefined;
  io: CallMediaIO;
  agent: { dialog: Dialog; legId: string } | undefined;
  startedMs: number;
  pausedBy: string | undefined;
  /** A browser (WebRTC) caller: there is no SIP dialog to send a BYE on. */
  sipless?: boolean;
  /** Our SDES key per SRTP leg, repeated in re-INVITE answers (never logged). */
  srtp?: { customer?: LocalCrypto; agent?: LocalCrypto };
}

export interface VoiceDeps {
  transport: SipTransport;
  accounts: SipAccounts;
  nonces: NonceIssuer;
  guard: SourceGuard;
  worker: MediaWorker;
  recordings: RecordingService;
  tts: TtsPort;
  asr: AsrPort;
  bus: EventBus;
  logger: Logger;
  options: VoiceOptions;
  bind: string;
  runOptions?: (call: CallInfo, callerId: string | undefined) => RunOptions;
  identifyCaller?: (phone: string) => Promise<string | undefined>;
  /** Opens the routable contact when the IVR enqueues the call (conversations); returns its ids. */
  openContact?: (
    call: CallInfo,
    callerId: string | undefined,
  ) => Promise<{ contactId: string; customerId: string }>;
  /** Routing's position/EWT of a queued contact, for the caller's announcements. */
  queuePosition?: QueuePositionPort;
}

/** What the parts of VoiceService share: its deps, the live calls, and the steps they hand each other. */
export interface CallsContext {
  d: VoiceDeps;
  table: CallTable;
  control: CallControl;
  recording: CallRecording;
  hangup: (callId: string, reason: string, options?: { skip?: string }) => Promise<void>;
  runIvr: (call: Call, callerId: string | undefined) => Promise<void>;
}
