import { VoiceError } from './errors.ts';
import type { SipAccountDoc } from './sip/registrar.ts';

/** Who uses a desk phone or a trunk: shown by name when a delete is refused. */
export interface VoiceUsedBy {
  /** agent: the phone rings for them; flow: an IVR transfer step dials it; dialout: outbound calls go through the trunk. */
  kind: 'agent' | 'flow' | 'dialout';
  id: string;
  name: string;
}

/**
 * What other contexts say about the phones and trunks (identity's names, the IVR
 * flows), seen through ports so voice imports neither. Absent = nobody to ask.
 */
export interface VoiceUsagePorts {
  /** A user's display name (identity); undefined when the user is gone. */
  userName?: (userId: string) => Promise<string | undefined>;
  /** IVR flows by head version. */
  flows?: {
    list(): Promise<Array<{ id: string; name: string }>>;
    get(id: string): Promise<{ nodes: Record<string, { type: string; target?: string }> }>;
  };
}

/** `8001`, `sip:8001` and `sip:8001@host` all name extension 8001. */
const namesExtension = (target: string, username: string) =>
  target.replace(/^sips?:/i, '').split('@')[0] === username;

/**
 * Who still uses desk phone `account`: the agent it rings for (their offered
 * calls, dial-out and callbacks ring it) and the IVR flows whose transfer step dials it.
 */
export async function phoneUsage(account: SipAccountDoc, ports: VoiceUsagePorts): Promise<VoiceUsedBy[]> {
  const out: VoiceUsedBy[] = [];
  if (account.userId) {
    const name = await ports.userName?.(account.userId);
    out.push({ kind: 'agent', id: account.userId, name: name ?? account.userId });
  }
  for (const f of (await ports.flows?.list()) ?? []) {
    const def = await ports.flows?.get(f.id);
    const dials = Object.values(def?.nodes ?? {}).some(
      (n) =>
        n.type === 'transfer' && typeof n.target === 'string' && namesExtension(n.target, account.username),
    );
    if (dials) out.push({ kind: 'flow', id: f.id, name: f.name });
  }
  return out;
}

/**
 * Who still uses trunk `name`: with dial-out on (number prefixes allowed), agents'
 * dial-out and customer callbacks go through the first trunk; when it is the last
 * one, deleting it would leave them none (with another trunk, that one takes over).
 */
export function trunkUsage(
  name: string,
  o: { trunks: Array<{ name: string }>; dialoutPrefixes: readonly string[] },
): VoiceUsedBy[] {
  const last = o.trunks.length === 1 && o.trunks[0]?.name === name;
  if (!last || o.dialoutPrefixes.length === 0) return [];
  return [{ kind: 'dialout', id: 'dialout', name: o.dialoutPrefixes.join(', ') }];
}

/** VOICE_ACCOUNT_IN_USE / VOICE_TRUNK_IN_USE (409) listing who uses the item, when anyone does. */
export function assertUnused(
  code: 'VOICE_ACCOUNT_IN_USE' | 'VOICE_TRUNK_IN_USE',
  id: string,
  usedBy: VoiceUsedBy[],
): void {
  if (usedBy.length === 0) return;
  throw new VoiceError(
    code,
    `Cannot delete ${id}: used by ${usedBy.map((u) => `${u.kind} ${u.id}`).join(', ')}`,
    {
      usedBy,
    },
  );
}
