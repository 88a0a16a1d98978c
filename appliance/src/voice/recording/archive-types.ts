import type { RecordedLeg } from './service.ts';

/**
 * Where archived recordings go (HQ's `/_archive` endpoint). Files are named
 * `<leg>.blrec` (the encrypted leg stream as stored) and `manifest.json`.
 */
export interface ArchiveTarget {
  /** What HQ stored of a file (size and SHA-256), or undefined when it has none. */
  stored(callId: string, file: string): Promise<{ size: number; sha256: string } | undefined>;
  /** Writes bytes at `offset`; resolves with HQ's size after the write (acknowledged = fsynced at HQ). */
  put(callId: string, file: string, offset: number, bytes: Buffer): Promise<{ size: number }>;
}

/** The branch's durable record of one recording's archive (`arc:<callId>` in the archive store). */
export interface ArchiveState {
  _id: string;
  _rev?: string;
  callId: string;
  status: 'uploading' | 'archived';
  /** Per file: its size and SHA-256 at the branch, and the bytes HQ has acknowledged (the cursor). */
  files: Record<string, { size: number; sha256: string; acked: number }>;
  archivedAt?: string;
}

/** One archived file, as the `recording.archived` event audits it. */
export interface ArchivedFileRecord {
  file: string;
  size: number;
  /** SHA-256 of the branch's file, equal to the one HQ reported for what it stored. */
  sha256: string;
}

export type ArchivedLeg = RecordedLeg;

declare module '../../events/catalogue.ts' {
  interface EventCatalogue {
    /** HQ stored a recording's encrypted files and reported the same SHA-256 the branch computed. */
    'recording.archived': { callId: string; files: ArchivedFileRecord[]; sealedTo: 'hq' | 'branch' };
  }
}
