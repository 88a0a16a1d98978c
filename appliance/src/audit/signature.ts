import { loadSodium } from '../storage/index.ts';

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
    return (await loadSodium()).crypto_sign_verify_detached(sig, message, pk);
  } catch {
    return false;
  }
}
