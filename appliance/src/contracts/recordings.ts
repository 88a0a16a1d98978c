export type HoldKind = 'recording' | 'contact' | 'customer';

/** A legal hold: while active, what it covers is neither purged nor crypto-shredded. */
export interface LegalHold {
  id: string;
  kind: HoldKind;
  /** The call id (recording), contact id or customer id held. */
  targetId: string;
  /** The customer whose data the hold covers, when known (blocks their erasure). */
  customerId?: string;
  reason: string;
  caseRef?: string;
  status: 'active' | 'released';
  createdAt: string;
  createdBy: string;
  releasedAt?: string;
  releasedBy?: string;
  releaseReason?: string;
}

/** Retention by class: the default days, days per class, and the class of each queue's calls. */
export interface RetentionPolicy {
  days: number;
  /** Class name → days (e.g. complaints: 1095). */
  classes: Record<string, number>;
  /** Queue id → class name; a queue not listed gives the default retention. */
  queueClasses: Record<string, string>;
}
