import { createRequire } from 'node:module';
import { canonicalJson } from './canonical.ts';
import type { SealContext, Sealer } from './shape.ts';

// libsodium-wrappers-sumo's ESM build is broken in 0.7.x: load the CJS build by path.
const require = createRequire(import.meta.url);
interface SodiumBox {
  ready: Promise<void>;
  crypto_box_keypair(): { publicKey: Uint8Array; privateKey: Uint8Array };
  crypto_box_seal(message: Uint8Array, publicKey: Uint8Array): Uint8Array;
  crypto_box_seal_open(cipher: Uint8Array, publicKey: Uint8Array, privateKey: Uint8Array): Uint8Array;
  crypto_scalarmult_base(privateKey: Uint8Array): Uint8Array;
}
let loaded: Promise<SodiumBox> | undefined;
function sodium(): Promise<SodiumBox> {
  loaded ??= (async () => {
    const s = require('libsodium-wrappers-sumo') as SodiumBox;
    await s.ready;
    return s;
  })();
  return loaded;
}

/** Prefix of a field sealed to HQ: `hqs1:` + base64 of a libsodium sealed box. */
export const HQ_SEAL_PREFIX = 'hqs1:';

/** An HQ sealing key pair (X25519, base64url): HQ keeps `privateKey`, branches pin `publicKey`. */
export interface HqSealKeyPair {
  publicKey: string;
  privateKey: string;
}

export async function generateHqSealKey(): Promise<HqSealKeyPair> {
  const kp = (await sodium()).crypto_box_keypair();
  return {
    publicKey: Buffer.from(kp.publicKey).toString('base64url'),
    privateKey: Buffer.from(kp.privateKey).toString('base64url'),
  };
}

// The field's place (class, document, field) is sealed with the value and checked on open,
// so HQ cannot be handed one field's ciphertext in place of another's.
function placeOf(ctx: SealContext): string {
  return canonicalJson({ db: ctx.db, docId: ctx.docId, field: ctx.field });
}

/**
 * A Sealer that encrypts to HQ's published public key (crypto_box_seal): the
 * branch cannot read back what it sealed, HQ opens it with `openHqSealed`.
 * @example const s = hqSealer(pinnedSealKey); await s.seal('text', { db: 'tickets', docId: 'ticket:t1', field: 'subject' });
 */
export function hqSealer(publicKey: string): Sealer {
  const pk = new Uint8Array(Buffer.from(publicKey, 'base64url'));
  if (pk.length !== 32) throw new TypeError('HQ seal key must be 32 bytes (base64url)');
  return {
    async seal(value, ctx) {
      const box = (await sodium()).crypto_box_seal(Buffer.from(`${placeOf(ctx)}\n${value}`), pk);
      return HQ_SEAL_PREFIX + Buffer.from(box).toString('base64');
    },
  };
}

/**
 * Opens a field sealed by `hqSealer` (HQ side). Throws RangeError when the
 * ciphertext does not open under `privateKey` or was sealed for another place.
 */
export async function openHqSealed(
  privateKey: string,
  ciphertext: string,
  ctx: SealContext,
): Promise<string> {
  if (!ciphertext.startsWith(HQ_SEAL_PREFIX)) throw new RangeError('Cannot open sealed field: not hqs1');
  const s = await sodium();
  const sk = new Uint8Array(Buffer.from(privateKey, 'base64url'));
  const pk = s.crypto_scalarmult_base(sk);
  let plain: string;
  try {
    const box = new Uint8Array(Buffer.from(ciphertext.slice(HQ_SEAL_PREFIX.length), 'base64'));
    plain = Buffer.from(s.crypto_box_seal_open(box, pk, sk)).toString('utf8');
  } catch {
    throw new RangeError('Cannot open sealed field: wrong key or damaged ciphertext');
  }
  const place = placeOf(ctx);
  if (!plain.startsWith(`${place}\n`))
    throw new RangeError('Cannot open sealed field: sealed for another place');
  return plain.slice(place.length + 1);
}
