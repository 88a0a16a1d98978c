import {
  type Cipher,
  createCipheriv,
  createDecipheriv,
  createHmac,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';

/**
 * SRTP (RFC 3711) for SIP legs keyed by SDES (RFC 4568), on node:crypto:
 * AES_CM_128_HMAC_SHA1_80/32 and the AEAD suites of RFC 7714. RTP only: the
 * RTP legs send no RTCP, so SRTCP is not needed. The keying material is the
 * shape of mediasoup's PlainTransport `srtpParameters` ({ cryptoSuite, keyBase64 }),
 * so that transport can take these legs over unchanged.
 */
export type SrtpSuite =
  | 'AES_CM_128_HMAC_SHA1_80'
  | 'AES_CM_128_HMAC_SHA1_32'
  | 'AEAD_AES_128_GCM'
  | 'AEAD_AES_256_GCM';

export interface SrtpParameters {
  cryptoSuite: SrtpSuite;
  /** Master key ‖ master salt, base64 (the SDES inline key). */
  keyBase64: string;
}

interface SuiteInfo {
  keyLen: number;
  saltLen: number;
  tagLen: number;
  aead: boolean;
}

export const SRTP_SUITES: Readonly<Record<SrtpSuite, SuiteInfo>> = {
  AES_CM_128_HMAC_SHA1_80: { keyLen: 16, saltLen: 14, tagLen: 10, aead: false },
  AES_CM_128_HMAC_SHA1_32: { keyLen: 16, saltLen: 14, tagLen: 4, aead: false },
  AEAD_AES_128_GCM: { keyLen: 16, saltLen: 12, tagLen: 16, aead: true },
  AEAD_AES_256_GCM: { keyLen: 32, saltLen: 12, tagLen: 16, aead: true },
};

/** Our preference when answering an offer that lists several suites. */
export const SUITE_PREFERENCE: readonly SrtpSuite[] = [
  'AES_CM_128_HMAC_SHA1_80',
  'AEAD_AES_128_GCM',
  'AEAD_AES_256_GCM',
  'AES_CM_128_HMAC_SHA1_32',
];

export function isSrtpSuite(s: string): s is SrtpSuite {
  return Object.hasOwn(SRTP_SUITES, s);
}

/** A fresh master key and salt for one leg (never logged). */
export function newSrtpParameters(cryptoSuite: SrtpSuite): SrtpParameters {
  const s = SRTP_SUITES[cryptoSuite];
  return { cryptoSuite, keyBase64: randomBytes(s.keyLen + s.saltLen).toString('base64') };
}

interface SessionKeys {
  enc: Buffer;
  auth: Buffer;
  salt: Buffer;
}

/** RFC 3711 §4.3 key derivation (key_derivation_rate 0) with AES-CM as the PRF. */
export function deriveSessionKeys(p: SrtpParameters): SessionKeys {
  const s = SRTP_SUITES[p.cryptoSuite];
  const master = Buffer.from(p.keyBase64, 'base64');
  if (master.length !== s.keyLen + s.saltLen)
    throw new RangeError(`SRTP key for ${p.cryptoSuite} must be ${s.keyLen + s.saltLen} bytes`);
  const key = master.subarray(0, s.keyLen);
  // The AEAD suites' 96-bit salt is padded on the right to 112 bits for the PRF (RFC 7714 §11, libsrtp).
  const salt = Buffer.alloc(14);
  master.copy(salt, 0, s.keyLen);
  const prf = (label: number, len: number) => {
    const iv = Buffer.alloc(16);
    salt.copy(iv);
    iv[7] = (iv[7] ?? 0) ^ label;
    const c = createCipheriv(`aes-${s.keyLen * 8}-ctr`, key, iv);
    return c.update(Buffer.alloc(len));
  };
  return { enc: prf(0, s.keyLen), auth: prf(1, 20), salt: prf(2, s.saltLen) };
}

/** Offset of the payload: fixed header, CSRCs, header extension. */
function headerLength(pkt: Buffer): number | undefined {
  if (pkt.length < 12) return undefined;
  const b0 = pkt[0] ?? 0;
  let off = 12 + (b0 & 0x0f) * 4;
  if (b0 & 0x10) {
    if (pkt.length < off + 4) return undefined;
    off += 4 + pkt.readUInt16BE(off + 2) * 4;
  }
  return off <= pkt.length ? off : undefined;
}

/** Receive-side state of one SSRC: rollover counter, highest sequence, 64-packet replay window. */
interface RecvState {
  roc: number;
  seq: number;
  /** Bit i set: index (highest − i) was received. */
  window: bigint;
}

export type UnprotectResult =
  | { ok: true; packet: Buffer }
  | { ok: false; reason: 'auth' | 'replay' | 'short' };

const WINDOW = 64n;

/**
 * One direction's SRTP context. Sender: `protect()` keeps a rollover counter
 * per SSRC. Receiver: `unprotect()` estimates the index (RFC 3711 §3.3.1),
 * authenticates before decrypting, and refuses replays within a 64-packet window.
 */
export class SrtpContext {
  readonly suite: SrtpSuite;
  #info: SuiteInfo;
  #keys: SessionKeys;
  #send = new Map<number, { roc: number; seq: number }>();
  #recv = new Map<number, RecvState>();
  /** AES-CM keystream from one ECB context (no per-packet cipher setup; counter blocks built here). */
  #ecb: Cipher | undefined;

  constructor(p: SrtpParameters) {
    if (!isSrtpSuite(p.cryptoSuite)) throw new TypeError(`Unknown SRTP suite: ${String(p.cryptoSuite)}`);
    this.suite = p.cryptoSuite;
    this.#info = SRTP_SUITES[p.cryptoSuite];
    this.#keys = deriveSessionKeys(p);
    if (!this.#info.aead) {
      this.#ecb = createCipheriv(`aes-${this.#info.keyLen * 8}-ecb`, this.#keys.enc, null);
      this.#ecb.setAutoPadding(false);
    }
  }

  /** XORs `data` with the AES-CM keystream for this packet (RFC 3711 §4.1.1): encrypt and decrypt alike. */
  #ctr(data: Buffer, ssrc: number, seq: number, roc: number): Buffer {
    const iv = this.#ctrIv(ssrc, seq, roc);
    const blocks = Math.ceil(data.length / 16);
    const counters = Buffer.allocUnsafe(blocks * 16);
    const base = iv.readUInt16BE(14);
    for (let i = 0; i < blocks; i++) {
      iv.copy(counters, i * 16, 0, 14);
      counters.writeUInt16BE((base + i) & 0xffff, i * 16 + 14);
    }
    const ks = (this.#ecb as Cipher).update(counters);
    const out = Buffer.allocUnsafe(data.length);
    for (let i = 0; i < data.length; i++) out[i] = (data[i] as number) ^ (ks[i] as number);
    return out;
  }

  protect(rtp: Buffer): Buffer {
    const hl = headerLength(rtp);
    if (hl === undefined) throw new RangeError('Cannot protect RTP: packet is shorter than its header');
    const ssrc = rtp.readUInt32BE(8);
    const seq = rtp.readUInt16BE(2);
    let st = this.#send.get(ssrc);
    if (!st) {
      st = { roc: 0, seq };
      this.#send.set(ssrc, st);
    } else {
      if (seq < st.seq && st.seq - seq > 0x8000) st.roc = (st.roc + 1) >>> 0;
      st.seq = seq;
    }
    return this.#seal(rtp, hl, ssrc, seq, st.roc);
  }

  unprotect(srtp: Buffer): UnprotectResult {
    const hl = headerLength(srtp);
    const tagLen = this.#info.tagLen;
    if (hl === undefined || srtp.length < hl + tagLen) return { ok: false, reason: 'short' };
    const ssrc = srtp.readUInt32BE(8);
    const seq = srtp.readUInt16BE(2);
    const st = this.#recv.get(ssrc);
    // RFC 3711 Appendix A: the index guess from the highest sequence seen.
    let roc = st?.roc ?? 0;
    if (st) {
      if (st.seq < 0x8000) {
        if (seq - st.seq > 0x8000) {
          // Before the first rollover nothing is older than index 0.
          if (st.roc === 0) return { ok: false, reason: 'replay' };
          roc = (st.roc - 1) >>> 0;
        }
      } else if (st.seq - 0x8000 > seq) roc = (st.roc + 1) >>> 0;
    }
    const index = (BigInt(roc) << 16n) | BigInt(seq);
    if (st) {
      const top = (BigInt(st.roc) << 16n) | BigInt(st.seq);
      const back = top - index;
      if (back >= WINDOW) return { ok: false, reason: 'replay' };
      if (back >= 0n && (st.window >> back) & 1n) return { ok: false, reason: 'replay' };
    }
    const plain = this.#open(srtp, hl, ssrc, seq, roc);
    if (!plain) return { ok: false, reason: 'auth' };
    if (!st) this.#recv.set(ssrc, { roc, seq, window: 1n });
    else {
      const top = (BigInt(st.roc) << 16n) | BigInt(st.seq);
      if (index > top) {
        const shift = index - top;
        st.window = shift >= WINDOW ? 1n : ((st.window << shift) | 1n) & ((1n << WINDOW) - 1n);
        st.roc = roc;
        st.seq = seq;
      } else st.window |= 1n << (top - index);
    }
    return { ok: true, packet: plain };
  }

  #ctrIv(ssrc: number, seq: number, roc: number): Buffer {
    const iv = Buffer.alloc(16);
    this.#keys.salt.copy(iv);
    iv.writeUInt32BE((iv.readUInt32BE(4) ^ ssrc) >>> 0, 4);
    // The 48-bit index ROC‖SEQ sits in bytes 8..13.
    iv.writeUInt32BE((iv.readUInt32BE(8) ^ roc) >>> 0, 8);
    iv.writeUInt16BE(iv.readUInt16BE(12) ^ seq, 12);
    return iv;
  }

  #gcmIv(ssrc: number, seq: number, roc: number): Buffer {
    const iv = Buffer.alloc(12);
    iv.writeUInt32BE(ssrc, 2);
    iv.writeUInt32BE(roc, 6);
    iv.writeUInt16BE(seq, 10);
    for (let i = 0; i < 12; i++) iv[i] = (iv[i] ?? 0) ^ (this.#keys.salt[i] ?? 0);
    return iv;
  }

  #algo(mode: 'ctr' | 'gcm'): string {
    return `aes-${this.#info.keyLen * 8}-${mode}`;
  }

  #seal(rtp: Buffer, hl: number, ssrc: number, seq: number, roc: number): Buffer {
    const header = rtp.subarray(0, hl);
    if (this.#info.aead) {
      const c = createCipheriv(
        this.#algo('gcm') as 'aes-128-gcm',
        this.#keys.enc,
        this.#gcmIv(ssrc, seq, roc),
      );
      c.setAAD(header);
      const body = Buffer.concat([c.update(rtp.subarray(hl)), c.final()]);
      return Buffer.concat([header, body, c.getAuthTag()]);
    }
    const out = Buffer.concat([header, this.#ctr(rtp.subarray(hl), ssrc, seq, roc)]);
    return Buffer.concat([out, this.#tag(out, roc)]);
  }

  #open(srtp: Buffer, hl: number, ssrc: number, seq: number, roc: number): Buffer | undefined {
    const tagLen = this.#info.tagLen;
    const header = srtp.subarray(0, hl);
    const body = srtp.subarray(hl, srtp.length - tagLen);
    const tag = srtp.subarray(srtp.length - tagLen);
    if (this.#info.aead) {
      const d = createDecipheriv(
        this.#algo('gcm') as 'aes-128-gcm',
        this.#keys.enc,
        this.#gcmIv(ssrc, seq, roc),
      );
      d.setAAD(header);
      d.setAuthTag(tag);
      try {
        return Buffer.concat([header, d.update(body), d.final()]);
      } catch {
        return undefined;
      }
    }
    const expect = this.#tag(srtp.subarray(0, srtp.length - tagLen), roc);
    if (!timingSafeEqual(expect, tag)) return undefined;
    return Buffer.concat([header, this.#ctr(body, ssrc, seq, roc)]);
  }

  #tag(authenticated: Buffer, roc: number): Buffer {
    const r = Buffer.alloc(4);
    r.writeUInt32BE(roc);
    return createHmac('sha1', this.#keys.auth)
      .update(authenticated)
      .update(r)
      .digest()
      .subarray(0, this.#info.tagLen);
  }
}

/** RTCP multiplexed on the RTP port (payload types 64–95 after masking the marker, RFC 5761). */
export function looksLikeRtcp(pkt: Buffer): boolean {
  const pt = (pkt[1] ?? 0) & 0x7f;
  return pt >= 64 && pt <= 95;
}
