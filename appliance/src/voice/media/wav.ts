/** Minimal RIFF/WAVE: 16-bit PCM and 8-bit μ-law (format 7) read; 16-bit PCM write. */
export interface Wav {
  format: 'pcm16' | 'ulaw' | 'alaw';
  sampleRate: number;
  channels: number;
  data: Buffer;
}

export function readWav(buf: Buffer): Wav {
  if (
    buf.length < 12 ||
    buf.toString('latin1', 0, 4) !== 'RIFF' ||
    buf.toString('latin1', 8, 12) !== 'WAVE'
  ) {
    throw new RangeError('not a WAV file');
  }
  let off = 12;
  let fmt: { code: number; channels: number; rate: number; bits: number } | undefined;
  while (off + 8 <= buf.length) {
    const id = buf.toString('latin1', off, off + 4);
    let size = buf.readUInt32LE(off + 4);
    const body = off + 8;
    if (id === 'fmt ') {
      fmt = {
        code: buf.readUInt16LE(body),
        channels: buf.readUInt16LE(body + 2),
        rate: buf.readUInt32LE(body + 4),
        bits: buf.readUInt16LE(body + 14),
      };
    } else if (id === 'data') {
      if (!fmt) throw new RangeError('WAV data before fmt');
      // espeak-ng streams with a 0x7fffffff placeholder size: clamp to the file.
      size = Math.min(size, buf.length - body);
      const format =
        fmt.code === 7 ? 'ulaw' : fmt.code === 6 ? 'alaw' : fmt.bits === 16 ? 'pcm16' : undefined;
      if (!format) throw new RangeError(`unsupported WAV format ${fmt.code}/${fmt.bits}`);
      return { format, sampleRate: fmt.rate, channels: fmt.channels, data: buf.subarray(body, body + size) };
    }
    off = body + size + (size & 1);
  }
  throw new RangeError('WAV without data chunk');
}

export function writeWavPcm16(
  samples: Int16Array,
  options: { sampleRate: number; channels: number },
): Buffer {
  const data = Buffer.from(samples.buffer, samples.byteOffset, samples.byteLength);
  const h = Buffer.alloc(44);
  h.write('RIFF', 0, 'latin1');
  h.writeUInt32LE(36 + data.length, 4);
  h.write('WAVEfmt ', 8, 'latin1');
  h.writeUInt32LE(16, 16);
  h.writeUInt16LE(1, 20);
  h.writeUInt16LE(options.channels, 22);
  h.writeUInt32LE(options.sampleRate, 24);
  h.writeUInt32LE(options.sampleRate * options.channels * 2, 28);
  h.writeUInt16LE(options.channels * 2, 32);
  h.writeUInt16LE(16, 34);
  h.write('data', 36, 'latin1');
  h.writeUInt32LE(data.length, 40);
  return Buffer.concat([h, data]);
}
