import type { AuditRecord } from '../audit/index.ts';

/** The collector as configured (config.siem without the limits). */
export interface SiemTarget {
  transport: 'tls' | 'tcp';
  host: string;
  port: number;
  /** PEM CA file for a private CA; undefined = the system CAs. */
  caFile: string | undefined;
}

/** Where records come from: the audit log, read in sequence. */
export interface RecordSource {
  /** Highest durably stored sequence. */
  lastSeq(): number;
  /** Up to `limit` records with seq > `seq`, ascending. */
  after(seq: number, limit: number): Promise<AuditRecord[]>;
}

/** The durable cursor: the last sequence the collector accepted. */
export interface Cursor {
  seq: number;
  /** Hash of the record at `seq` (diagnostics: which record the collector has last). */
  hash: string;
  at: string;
}

export type SiemState = 'starting' | 'connected' | 'unreachable' | 'closed';

export type SiemAlarm = 'siem.collector_unreachable' | 'siem.certificate_rejected' | 'siem.backlog_exceeded';

/** Forwarding state for /healthz and the admin health view. */
export interface SiemStatus {
  state: SiemState;
  /** `tls://host:port` or `tcp://host:port`. */
  collector: string;
  /** Last sequence the collector accepted (durable). */
  cursor: number;
  lastSeq: number;
  /** Records not yet accepted. */
  backlog: number;
  /** Records sent since start. */
  sent: number;
  connectAttempts: number;
  lastSentAt?: string;
  unreachableSince?: string;
  lastError?: string;
  /** Alarms raised and not yet over. */
  alarms: SiemAlarm[];
}

/** What other parts (health) see of the forwarder. */
export interface SiemService {
  status(): SiemStatus;
}

declare module '../modules.ts' {
  interface Services {
    /** Present only when BRANCHLINE_SIEM_URL is set. */
    siem: SiemService;
  }
}
