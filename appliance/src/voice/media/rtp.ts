/** RTP (RFC 3550) fixed header parse/build; CSRC lists and extensions are skipped on parse. */
export interface RtpPacket {
  payloadType: number;
  marker: boolean;
  sequence: number;
  timestamp: number;
  ssrc: number;
  payload: Buffer;
}

export function parseRtp(buf: Buffer): RtpPacket | undefined {
  if (buf.length < 12) return undefined;
  const b0 = buf[0] ?? 0;
  if (b0 >> 6 !== 2) return undefined;
  const b1 = buf[1] ?? 0;
  let off = 12 + (b0 & 0x0f) * 4;
  if (b0 & 0x10) {
    if (buf.length < off + 4) return undefined;
    off += 4 + buf.readUInt16BE(off + 2) * 4;
  }
  let end = buf.length;
  if (b0 & 0x20) end -= buf[buf.length - 1] ?? 0;
  if (off > end) return undefined;
  return {
    payloadType: b1 & 0x7f,
    marker: (b1 & 0x80) !== 0,
    sequence: buf.readUInt16BE(2),
    timestamp: buf.readUInt32BE(4),
    ssrc: buf.readUInt32BE(8),
    payload: buf.subarray(off, end),
  };
}

export function buildRtp(p: RtpPacket): Buffer {
  const out = Buffer.allocUnsafe(12 + p.payload.length);
  out[0] = 0x80;
  out[1] = (p.marker ? 0x80 : 0) | (p.payloadType & 0x7f);
  out.writeUInt16BE(p.sequence & 0xffff, 2);
  out.writeUInt32BE(p.timestamp >>> 0, 4);
  out.writeUInt32BE(p.ssrc >>> 0, 8);
  p.payload.copy(out, 12);
  return out;
}

/** RFC 4733 telephone-event payload. */
export interface TelephoneEvent {
  event: number;
  end: boolean;
  volume: number;
  duration: number;
}

export function parseTelephoneEvent(payload: Buffer): TelephoneEvent | undefined {
  if (payload.length < 4) return undefined;
  const b1 = payload[1] ?? 0;
  return {
    event: payload[0] ?? 0,
    end: (b1 & 0x80) !== 0,
    volume: b1 & 0x3f,
    duration: payload.readUInt16BE(2),
  };
}

export function buildTelephoneEvent(e: TelephoneEvent): Buffer {
  const b = Buffer.alloc(4);
  b[0] = e.event;
  b[1] = (e.end ? 0x80 : 0) | (e.volume & 0x3f);
  b.writeUInt16BE(e.duration & 0xffff, 2);
  return b;
}

const DIGITS = '0123456789*#ABCD';
export function eventToDigit(event: number): string | undefined {
  return DIGITS[event];
}
export function digitToEvent(digit: string): number {
  const i = DIGITS.indexOf(digit.toUpperCase());
  if (i < 0) throw new RangeError(`not a DTMF digit: ${digit}`);
  return i;
}
