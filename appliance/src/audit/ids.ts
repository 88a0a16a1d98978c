export const REC_PREFIX = 'rec:';
export const CKPT_PREFIX = 'ckpt:';
export const HEAD_ID = 'meta:head';
export const SETTINGS_ID = 'meta:settings';

const pad = (seq: number): string => String(seq).padStart(12, '0');

export const recId = (seq: number): string => `${REC_PREFIX}${pad(seq)}`;
export const ckptId = (seq: number): string => `${CKPT_PREFIX}${pad(seq)}`;

/** The seq an id encodes, or undefined when the id is not in canonical form. */
export function seqOfId(id: string, prefix: string): number | undefined {
  const rest = id.slice(prefix.length);
  if (!id.startsWith(prefix) || !/^\d{12}$/.test(rest)) return undefined;
  const n = Number(rest);
  return n >= 1 ? n : undefined;
}
