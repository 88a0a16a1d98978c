import { type DocStore, MemoryDocStore } from '../storage/index.ts';
import { AuditLog, type AuditLogOptions } from './log.ts';
import { ephemeralSigner } from './signing-key.ts';

/** A clock that advances one second per reading, from a fixed UTC start. Tests only. */
export function steppingClock(start = Date.UTC(2025, 0, 1)): () => Date {
  let t = start;
  return () => {
    t += 1000;
    return new Date(t);
  };
}

/** A log over a fresh memory store with a throwaway key and no timer. Tests only. */
export async function memoryAudit(
  options: Partial<AuditLogOptions> & { store?: DocStore } = {},
): Promise<{ audit: AuditLog; store: DocStore }> {
  const store = options.store ?? new MemoryDocStore('audit');
  const audit = await AuditLog.open(store, {
    signer: options.signer ?? (await ephemeralSigner()),
    now: options.now ?? steppingClock(),
    checkpointIntervalMs: options.checkpointIntervalMs ?? 0,
    ...(options.bus ? { bus: options.bus } : {}),
  });
  return { audit, store };
}
