import { randomUUID } from 'node:crypto';
import type { AttachmentInput } from '../../conversations/index.ts';

const TTL_MS = 10 * 60_000;
const MAX_PENDING_PER_VISITOR = 5;

/**
 * Files a widget uploaded over HTTP and will reference in its next `send`
 * frame. Held briefly in memory; the message that carries them stores them
 * encrypted.
 */
export class Uploads {
  #pending = new Map<string, { vid: string; file: AttachmentInput; expires: number }>();

  put(vid: string, file: AttachmentInput): string | undefined {
    this.#sweep();
    let mine = 0;
    for (const p of this.#pending.values()) if (p.vid === vid) mine++;
    if (mine >= MAX_PENDING_PER_VISITOR) return undefined;
    const id = randomUUID();
    this.#pending.set(id, { vid, file, expires: Date.now() + TTL_MS });
    return id;
  }

  take(vid: string, id: string): AttachmentInput | undefined {
    const p = this.#pending.get(id);
    if (!p || p.vid !== vid || p.expires < Date.now()) return undefined;
    this.#pending.delete(id);
    return p.file;
  }

  #sweep(): void {
    const now = Date.now();
    for (const [id, p] of this.#pending) if (p.expires < now) this.#pending.delete(id);
  }

  close(): void {
    this.#pending.clear();
  }
}
