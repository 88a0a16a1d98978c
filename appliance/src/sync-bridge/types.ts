import type { PouchDb } from '../../../sync/src/index.ts';

declare module '../events/catalogue.ts' {
  interface EventCatalogue {
    'sync.policy_changed': { version: number; from: number };
    'sync.policy_rejected': { version: number; reason: string };
    'sync.freeze_applied': { username: string; freezeId: string };
    'sync.conflict_resolved': { docId: string; losers: number };
    'sync.doc_quarantined': { docId: string; reason: string; db?: string; rev?: string };
    'sync.reconciled': { reportId: string; differences: number; ok: boolean };
    'sync.quarantine_released': {
      quarantineId: string;
      docId: string;
      db: string;
      rev: string;
      closed: number;
    };
    'sync.quarantine_discarded': {
      quarantineId: string;
      docId: string;
      db: string;
      rev: string;
      reason: string;
    };
    'sync.hq_joined': { branch: string; hqUrl: string; policyVersion: number; caFingerprint?: string };
    'sync.hq_join_refused': { reason: string; branch?: string; hqUrl?: string };
    'sync.release_requested': { docId: string; db: string; note: string; by: string; entries: number };
    /** An HQ operator opened one sealed field of one record (HQ's signed `hq_reveal` notice). */
    'sync.hq_field_revealed': {
      revealId: string;
      operator: string;
      db: string;
      docId: string;
      field: string;
      reason: string;
      at: string;
    };
  }
}

/** The bridge's local databases: four outbound (pushed to HQ), one inbound (pulled), two private. */
export interface BridgeDbs {
  tickets: PouchDb;
  crm: PouchDb;
  audit: PouchDb;
  status: PouchDb;
  inbound: PouchDb;
  state: PouchDb;
  quarantine: PouchDb;
}

/** How the running link was set up: env vars (BRANCHLINE_HQ_URL) or the console's Join HQ page. */
export interface ActiveLink {
  source: 'env' | 'joined';
  branchId: string;
  hqUrl: string;
  joinedAt?: string;
  joinedBy?: string;
  caFingerprint?: string;
}
