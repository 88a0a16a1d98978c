import type { SuperviseMode, WebRtcCodec } from './protocol.ts';

export type SessionRole = 'agent' | 'customer' | 'supervisor';

export interface WebRtcSessionInfo {
  sessionId: string;
  legId: string;
  role: SessionRole;
  codec: WebRtcCodec | 'pcma';
  userId?: string;
  callId?: string;
  mode?: SuperviseMode;
}

declare module '../../events/catalogue.ts' {
  interface EventCatalogue {
    /** A leg's E-model MOS fell below the threshold (loss, jitter, RTCP round trip). */
    'call.quality_degraded': {
      callId: string;
      legId: string;
      mos: number;
      lossPct: number;
      jitterMs: number;
      rttMs?: number;
    };
    /** A supervisor listened, whispered, barged or left (every use audited). */
    'call.supervised': {
      callId: string;
      supervisorUserId: string;
      mode: SuperviseMode;
      supervisorLegId: string;
    };
  }
}
