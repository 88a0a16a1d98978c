import { createRequire } from 'node:module';

/** The few libsodium calls audit uses (the package ships no types). */
export interface SodiumSign {
  ready: Promise<void>;
  crypto_sign_keypair(): { publicKey: Uint8Array; privateKey: Uint8Array };
  crypto_sign_detached(message: Uint8Array, privateKey: Uint8Array): Uint8Array;
  crypto_sign_verify_detached(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
}

let loaded: Promise<SodiumSign> | undefined;

export function sodium(): Promise<SodiumSign> {
  loaded ??= (async () => {
    const s = createRequire(import.meta.url)('libsodium-wrappers-sumo') as SodiumSign;
    await s.ready;
    return s;
  })();
  return loaded;
}

/** False for any malformed input as well as a wrong signature. */
export async function verifyDetached(
  message: Uint8Array,
  signatureB64: unknown,
  publicKeyB64: string,
): Promise<boolean> {
  if (typeof signatureB64 !== 'string') return false;
  const sig = Buffer.from(signatureB64, 'base64');
  const pk = Buffer.from(publicKeyB64, 'base64');
  if (sig.length !== 64 || pk.length !== 32) return false;
  try {
    return (await sodium()).crypto_sign_verify_detached(sig, message, pk);
  } catch {
    return false;
  }
}
