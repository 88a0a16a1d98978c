import type { Codec, Endpoint } from '../media/protocol.ts';
import { isSrtpSuite, SRTP_SUITES, type SrtpParameters, SUITE_PREFERENCE } from '../media/srtp.ts';

export type SdpDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export interface AudioOffer {
  remote: Endpoint;
  codec: Codec;
  dtmfPayloadType: number;
  /** Media direction of the audio stream; `c=0.0.0.0` (RFC 2543 hold) reads as 'inactive'. */
  direction?: SdpDirection;
  /** `RTP/SAVP` demands SRTP; `RTP/AVP` with `a=crypto` offers it best-effort. */
  profile: 'RTP/AVP' | 'RTP/SAVP';
  /** SDES (RFC 4568) lines of the audio stream whose suite and key we can use. */
  crypto: SdesCrypto[];
}

/** One `a=crypto:` line: its tag and the sender's master key. */
export interface SdesCrypto {
  tag: number;
  params: SrtpParameters;
}

/** Parses `a=crypto:<tag> <suite> inline:<key>[|lifetime]`; MKIs and session parameters are not supported. */
export function parseCryptoLine(line: string): SdesCrypto | undefined {
  const m = /^a=crypto:(\d{1,9}) ([A-Z0-9_]+) inline:([A-Za-z0-9+/]+={0,2})(\|[^|\s]+)?\s*$/.exec(
    line.trim(),
  );
  if (!m?.[1] || !m[2] || !m[3] || !isSrtpSuite(m[2])) return undefined;
  const s = SRTP_SUITES[m[2]];
  if (Buffer.from(m[3], 'base64').length !== s.keyLen + s.saltLen) return undefined;
  // A lifetime is fine (`2^31`); an MKI (`1:4`) would need per-packet key ids we do not send.
  if (m[4]?.includes(':')) return undefined;
  return { tag: Number(m[1]), params: { cryptoSuite: m[2], keyBase64: m[3] } };
}

/** The offered line we answer: our preferred suite among those offered. */
export function chooseCrypto(offered: readonly SdesCrypto[]): SdesCrypto | undefined {
  for (const suite of SUITE_PREFERENCE) {
    const c = offered.find((o) => o.params.cryptoSuite === suite);
    if (c) return c;
  }
  return undefined;
}

/** Picks PCMU, else PCMA, and the telephone-event payload type from an SDP offer/answer. */
export function parseAudioSdp(body: string): AudioOffer | undefined {
  const lines = body.split(/\r?\n/);
  let host: string | undefined;
  let port: number | undefined;
  let pts: string[] = [];
  let dtmf = 101;
  let mediaHost: string | undefined;
  let inAudio = false;
  let direction: SdpDirection = 'sendrecv';
  let profile: AudioOffer['profile'] = 'RTP/AVP';
  const crypto: SdesCrypto[] = [];
  for (const l of lines) {
    const dir = /^a=(sendrecv|sendonly|recvonly|inactive)\s*$/.exec(l)?.[1] as SdpDirection | undefined;
    if (dir) direction = dir;
    if (l.startsWith('c=IN IP4 ')) {
      const h = l.slice(9).trim().split('/')[0];
      if (inAudio) mediaHost = h;
      else host = h;
    } else if (l.startsWith('m=')) {
      const m = /^m=audio (\d{1,5}) (RTP\/AVP|RTP\/SAVP) ((?:\d{1,3} ?)+)$/.exec(l.trim());
      inAudio = Boolean(m);
      if (m?.[1] && m[2] && m[3]) {
        port = Number(m[1]);
        profile = m[2] as AudioOffer['profile'];
        pts = m[3].trim().split(' ');
      }
    } else if (inAudio) {
      const te = /^a=rtpmap:(\d{1,3}) telephone-event\/8000/i.exec(l);
      if (te?.[1]) dtmf = Number(te[1]);
      if (l.startsWith('a=crypto:')) {
        const c = parseCryptoLine(l);
        if (c) crypto.push(c);
      }
    }
  }
  const h = mediaHost ?? host;
  if (!h || !port || port > 65535 || !/^[\d.]+$/.test(h)) return undefined;
  const codec: Codec | undefined = pts.includes('0') ? 'pcmu' : pts.includes('8') ? 'pcma' : undefined;
  if (!codec) return undefined;
  if (h === '0.0.0.0') direction = 'inactive';
  return { remote: { host: h, port }, codec, dtmfPayloadType: dtmf, direction, profile, crypto };
}

export function buildAudioSdp(input: {
  host: string;
  port: number;
  codec: Codec;
  dtmfPayloadType: number;
  sessionId: number;
  direction?: SdpDirection;
  version?: number;
  /** SRTP: our key under the tag we answer (or offer); `savp` makes it mandatory (RTP/SAVP). */
  crypto?: { tag: number; params: SrtpParameters; savp: boolean };
}): string {
  const pt = input.codec === 'pcmu' ? 0 : 8;
  const name = input.codec === 'pcmu' ? 'PCMU' : 'PCMA';
  return [
    'v=0',
    `o=branchline ${input.sessionId} ${input.version ?? 1} IN IP4 ${input.host}`,
    's=branchline',
    `c=IN IP4 ${input.host}`,
    't=0 0',
    `m=audio ${input.port} ${input.crypto?.savp ? 'RTP/SAVP' : 'RTP/AVP'} ${pt} ${input.dtmfPayloadType}`,
    `a=rtpmap:${pt} ${name}/8000`,
    `a=rtpmap:${input.dtmfPayloadType} telephone-event/8000`,
    `a=fmtp:${input.dtmfPayloadType} 0-16`,
    'a=ptime:20',
    `a=${input.direction ?? 'sendrecv'}`,
    ...(input.crypto
      ? [
          `a=crypto:${input.crypto.tag} ${input.crypto.params.cryptoSuite} inline:${input.crypto.params.keyBase64}`,
        ]
      : []),
    '',
  ].join('\r\n');
}
