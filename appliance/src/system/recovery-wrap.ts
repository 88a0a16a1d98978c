import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  type KeyObject,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { SystemError } from './errors.ts';

/**
 * Backups are sealed to a public key derived from the recovery key (X25519), so the
 * appliance can write them unattended while holding only that public key: nothing on
 * the data disk opens a backup. Restoring derives the private key from the key the
 * operator types.
 */
const PKCS8_X25519 = Buffer.from('302e020100300506032b656e04220420', 'hex');

function privateKeyOf(recoveryKey: Uint8Array): KeyObject {
  const seed = Buffer.from(
    hkdfSync('sha256', recoveryKey, Buffer.alloc(0), 'branchline recovery x25519 v1', 32),
  );
  return createPrivateKey({ key: Buffer.concat([PKCS8_X25519, seed]), format: 'der', type: 'pkcs8' });
}

function rawPublic(key: KeyObject): Buffer {
  return createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(-32);
}

function publicKeyObject(raw: Buffer): KeyObject {
  const spki = Buffer.concat([Buffer.from('302a300506032b656e032100', 'hex'), raw]);
  return createPublicKey({ key: spki, format: 'der', type: 'spki' });
}

/** The 32-byte X25519 public key that backups are sealed to (safe to keep on the box). */
export function recoveryPublicKey(recoveryKey: Uint8Array): Buffer {
  return rawPublic(privateKeyOf(recoveryKey));
}

export interface SealedKey {
  recipient: string;
  ephemeral: string;
  nonce: string;
  wrapped: string;
}

function wrapKey(shared: Buffer, ephemeral: Buffer, recipient: Buffer): Buffer {
  const salt = Buffer.concat([ephemeral, recipient]);
  return Buffer.from(hkdfSync('sha256', shared, salt, 'branchline backup key wrap v2', 32));
}

/** Seals a 32-byte archive key to `recipient` (a recovery public key). */
export function sealArchiveKey(archiveKey: Uint8Array, recipient: Buffer): SealedKey {
  const eph = generateKeyPairSync('x25519');
  const ephRaw = rawPublic(eph.privateKey);
  const shared = diffieHellman({ privateKey: eph.privateKey, publicKey: publicKeyObject(recipient) });
  const nonce = randomBytes(12);
  const c = createCipheriv('chacha20-poly1305', wrapKey(shared, ephRaw, recipient), nonce, {
    authTagLength: 16,
  });
  const wrapped = Buffer.concat([c.update(archiveKey), c.final(), c.getAuthTag()]);
  return {
    recipient: recipient.toString('base64'),
    ephemeral: ephRaw.toString('base64'),
    nonce: nonce.toString('base64'),
    wrapped: wrapped.toString('base64'),
  };
}

/** Opens a sealed archive key with the operator's recovery key; SYSTEM_BACKUP_WRONG_KEY when it is not theirs. */
export function openArchiveKey(sealed: SealedKey, recoveryKey: Uint8Array): Buffer {
  const wrong = () =>
    new SystemError('SYSTEM_BACKUP_WRONG_KEY', 'The recovery key does not open this backup', { status: 401 });
  const priv = privateKeyOf(recoveryKey);
  const mine = rawPublic(priv);
  const recipient = Buffer.from(String(sealed.recipient), 'base64');
  if (recipient.length !== mine.length || !timingSafeEqual(recipient, mine)) throw wrong();
  const ephRaw = Buffer.from(String(sealed.ephemeral), 'base64');
  const wrapped = Buffer.from(String(sealed.wrapped), 'base64');
  if (ephRaw.length !== 32 || wrapped.length !== 48) {
    throw new SystemError('SYSTEM_BACKUP_CORRUPT', 'Backup archive header holds a malformed key');
  }
  const shared = diffieHellman({ privateKey: priv, publicKey: publicKeyObject(ephRaw) });
  const d = createDecipheriv(
    'chacha20-poly1305',
    wrapKey(shared, ephRaw, mine),
    Buffer.from(String(sealed.nonce), 'base64'),
    { authTagLength: 16 },
  );
  d.setAuthTag(wrapped.subarray(32));
  try {
    return Buffer.concat([d.update(wrapped.subarray(0, 32)), d.final()]);
  } catch (cause) {
    throw new SystemError('SYSTEM_BACKUP_CORRUPT', 'Backup archive key failed authentication', { cause });
  }
}
