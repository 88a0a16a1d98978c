import type { Codec, Endpoint } from '../media/protocol.ts';

export type SdpDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export interface AudioOffer {
  remote: Endpoint;
  codec: Codec;
  dtmfPayloadType: number;
  /** Media direction of the audio stream; `c=0.0.0.0` (RFC 2543 hold) reads as 'inactive'. */
  direction?: SdpDirection;
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
  for (const l of lines) {
    const dir = /^a=(sendrecv|sendonly|recvonly|inactive)\s*$/.exec(l)?.[1] as SdpDirection | undefined;
    if (dir) direction = dir;
    if (l.startsWith('c=IN IP4 ')) {
      const h = l.slice(9).trim().split('/')[0];
      if (inAudio) mediaHost = h;
      else host = h;
    } else if (l.startsWith('m=')) {
      const m = /^m=audio (\d{1,5}) RTP\/AVP ((?:\d{1,3} ?)+)$/.exec(l.trim());
      inAudio = Boolean(m);
      if (m?.[1] && m[2]) {
        port = Number(m[1]);
        pts = m[2].trim().split(' ');
      }
    } else if (inAudio) {
      const te = /^a=rtpmap:(\d{1,3}) telephone-event\/8000/i.exec(l);
      if (te?.[1]) dtmf = Number(te[1]);
    }
  }
  const h = mediaHost ?? host;
  if (!h || !port || port > 65535 || !/^[\d.]+$/.test(h)) return undefined;
  const codec: Codec | undefined = pts.includes('0') ? 'pcmu' : pts.includes('8') ? 'pcma' : undefined;
  if (!codec) return undefined;
  if (h === '0.0.0.0') direction = 'inactive';
  return { remote: { host: h, port }, codec, dtmfPayloadType: dtmf, direction };
}

export function buildAudioSdp(input: {
  host: string;
  port: number;
  codec: Codec;
  dtmfPayloadType: number;
  sessionId: number;
  direction?: SdpDirection;
  version?: number;
}): string {
  const pt = input.codec === 'pcmu' ? 0 : 8;
  const name = input.codec === 'pcmu' ? 'PCMU' : 'PCMA';
  return [
    'v=0',
    `o=branchline ${input.sessionId} ${input.version ?? 1} IN IP4 ${input.host}`,
    's=branchline',
    `c=IN IP4 ${input.host}`,
    't=0 0',
    `m=audio ${input.port} RTP/AVP ${pt} ${input.dtmfPayloadType}`,
    `a=rtpmap:${pt} ${name}/8000`,
    `a=rtpmap:${input.dtmfPayloadType} telephone-event/8000`,
    `a=fmtp:${input.dtmfPayloadType} 0-16`,
    'a=ptime:20',
    `a=${input.direction ?? 'sendrecv'}`,
    '',
  ].join('\r\n');
}
