import type { EventBus } from '../events/index.ts';
import type { Logger } from '../logging/index.ts';
import type { Call } from './call-types.ts';
import type { MediaWorker } from './media/supervisor.ts';
import type { Dialog } from './sip/dialog.ts';
import type { SipAccounts } from './sip/registrar.ts';
import type { SipTransport } from './sip/transport.ts';
import type { TransferTarget, VoiceOptions } from './types.ts';

export interface CallRegistry {
  get(callId: string): Call | undefined;
  indexSip(sipId: string, call: Call): void;
  unindexSip(sipId: string): void;
  indexLeg(legId: string, call: Call): void;
}

export interface CallControlDeps {
  transport: SipTransport;
  worker: MediaWorker;
  accounts: SipAccounts;
  bus: EventBus;
  logger: Logger;
  bind: string;
  registry: CallRegistry;
  /** SDES settings, for re-INVITEs on SRTP legs. */
  options?: Pick<VoiceOptions, 'sdesOverPlain' | 'srtpAlarmThreshold'>;
}

export interface Consult {
  target: TransferTarget;
  dialog: Dialog;
  legId: string;
  port: number;
  fromUserId: string | undefined;
}

export interface Extra {
  consult: Consult | undefined;
  /** The agent leg after a transfer to a queue: kept open (and recording) for the next agent. */
  parked: { legId: string; port: number } | undefined;
  holdPlay: string | undefined;
  sdpVersion: number;
  /** The consult became a three-way conference: customer, agent and target share one mix. */
  conference: boolean;
}
