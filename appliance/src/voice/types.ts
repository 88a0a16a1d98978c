import type { FlowDefinition } from '../flows/index.ts';
import type { VoiceService } from './calls.ts';
import type { RecordingService } from './recording/service.ts';
import type { SrtpPolicy } from './sip/registrar.ts';

export type CallState = 'ringing' | 'ivr' | 'queued' | 'connecting' | 'bridged' | 'ended';

export interface CallInfo {
  id: string;
  /** Set once the IVR enqueues the call and conversations opens its contact. */
  contactId?: string;
  customerId?: string;
  state: CallState;
  queue?: string;
  attributes: Record<string, string | number | boolean>;
  customerLeg: { legId: string; port: number };
  agentLeg?: { legId: string; port: number; userId: string };
  startedAt: string;
  /** Who holds the call: the agent (console or phone) or the customer's phone. */
  held?: 'agent' | 'customer';
  /** An attended transfer in progress: the agent is consulting this target. */
  consulting?: TransferTarget;
  /** The consultation became a three-way conference (customer, agent, target). */
  conference?: boolean;
}

/** Where a transfer goes: an agent (their registered phone), a SIP extension (account), or a queue. */
export type TransferTarget = { userId: string } | { extension: string } | { queue: string };

export interface VoiceOptions {
  /** Addresses whose INVITEs are trusted as trunk calls without digest auth. */
  trustedTrunks: string[];
  /** Dial-out prefixes authenticated accounts may call (toll-fraud policy). */
  allowedPrefixes: string[];
  realm: string;
  /** Flow run for inbound trunk calls. */
  inboundFlow: () => Promise<FlowDefinition | undefined>;
  /** Suppress steady noise in what the customer's SIP leg sends (the agent, IVR and mixes hear it cleaned; recordings stay raw). */
  noiseSuppression?: boolean;
  /** SDES keys also over SIP UDP/TCP (BRANCHLINE_SIP_SDES_OVER_PLAIN); default TLS only. */
  sdesOverPlain?: boolean;
  /** SRTP auth failures + replays on one leg before `voice.srtp_failures` is raised (default 50). */
  srtpAlarmThreshold?: number;
  /** The SRTP policy of the trunk a trusted INVITE came from (by source host); undefined = optional. */
  trunkSrtp?: (host: string) => Promise<SrtpPolicy | undefined>;
}

declare module '../modules.ts' {
  interface Services {
    voice: VoiceService;
    recordings: RecordingService;
  }
}

declare module '../events/catalogue.ts' {
  interface EventCatalogue {
    'call.started': { callId: string; customerId?: string; trunk: string };
    'call.queued': {
      callId: string;
      contactId: string;
      channel: 'voice';
      queue: string;
      priority: number;
      attributes: Record<string, string | number | boolean>;
    };
    /** A caller left a voicemail: an offline voice contact links the call's recording. */
    'call.voicemail_left': { callId: string; contactId: string; seconds: number };
    'call.connected': { callId: string; contactId: string; agentUserId: string };
    'call.ended': {
      callId: string;
      contactId: string;
      /** An agent leg was bridged. */
      answered: boolean;
      reason: string;
      durationMs: number;
    };
    'call.transferred': {
      callId: string;
      contactId: string;
      mode: 'blind' | 'attended';
      stage: 'started' | 'completed' | 'cancelled' | 'failed';
      fromUserId?: string;
      to: TransferTarget;
    };
    'call.conferenced': { callId: string; contactId: string; byUserId: string; with: TransferTarget };
    'call.held': { callId: string; contactId: string; by: 'agent' | 'customer' };
    'call.resumed': { callId: string; contactId: string; by: 'agent' | 'customer' };
    'call.refused': {
      reason: 'unauthenticated_dial_out' | 'dial_out_not_allowed' | 'over_limit' | 'srtp_policy';
      target: string;
      /** srtp_policy: which rule (VOICE_SRTP_REQUIRED, VOICE_SDES_NOT_OVER_TLS, …). */
      code?: string;
    };
    'sip.source_blocked': { source: string; reason: string; requests?: number; until?: string };
    /** A configured trunk went over its own request budget in a window (dropped, not blocked). */
    'sip.trunk_throttled': { source: string; reason: string; requests: number; until: string };
    'sip.source_released': { source: string };
    'sip.account_created': { username: string; userId?: string };
    'sip.account_updated': { username: string; userId?: string; passwordChanged: boolean };
    'sip.account_deleted': { username: string };
    'sip.trunk_deleted': { trunk: string };
    /** An admin's test call to a desk phone: it answered and heard a prompt. */
    'sip.test_call_placed': { username: string; callId: string };
    'recording.paused': { callId: string; reason: string };
    'recording.resumed': { callId: string; reason: string };
    'recording.retention_changed': {
      days: number;
      classes?: Record<string, number>;
      queueClasses?: Record<string, string>;
    };
    'recording.hold_created': {
      holdId: string;
      kind: 'recording' | 'contact' | 'customer';
      targetId: string;
      reason: string;
      caseRef?: string;
      customerId?: string;
    };
    'recording.hold_released': {
      holdId: string;
      kind: 'recording' | 'contact' | 'customer';
      targetId: string;
      reason: string;
    };
    /** One purge pass kept recordings past their retention (legal hold, not archived): one record per pass. */
    'recording.purge_held': { count: number; kept: Array<{ callId: string; reasons: string[] }> };
    'recording.purged': { count: number; retentionDays: number };
    'recording.interrupted': { callIds: string[] };
  }
}
