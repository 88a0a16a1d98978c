/**
 * 48 kHz ↔ 8 kHz for the Opus transcoder. Down: a windowed-sinc low-pass
 * (cut-off 3.6 kHz, Hamming, 61 taps) then keep every 6th sample. Up: linear
 * interpolation between 8 kHz samples; its images above 4 kHz are what a
 * narrowband call never carried anyway, and Opus' encoder band-limits them.
 */
const RATIO = 6;
const TAPS = 61;

const FIR: Float64Array = (() => {
  const h = new Float64Array(TAPS);
  const fc = 3600 / 48000;
  const mid = (TAPS - 1) / 2;
  let sum = 0;
  for (let i = 0; i < TAPS; i++) {
    const n = i - mid;
    const sinc = n === 0 ? 2 * fc : Math.sin(2 * Math.PI * fc * n) / (Math.PI * n);
    h[i] = sinc * (0.54 - 0.46 * Math.cos((2 * Math.PI * i) / (TAPS - 1)));
    sum += h[i] ?? 0;
  }
  for (let i = 0; i < TAPS; i++) h[i] = (h[i] ?? 0) / sum;
  return h;
})();

/** Streaming 48 kHz → 8 kHz decimator; keeps the filter's history across frames. */
export class Downsampler {
  #hist = new Float64Array(TAPS - 1);
  #phase = 0;

  process(input: Int16Array): Int16Array {
    const buf = new Float64Array(this.#hist.length + input.length);
    buf.set(this.#hist);
    for (let i = 0; i < input.length; i++) buf[this.#hist.length + i] = input[i] ?? 0;
    const out: number[] = [];
    // Output sample k uses input ending at index (TAPS-1)+pos; pos advances by 6.
    let pos = this.#phase;
    for (; pos < input.length; pos += RATIO) {
      let acc = 0;
      for (let t = 0; t < TAPS; t++) acc += (FIR[t] ?? 0) * (buf[pos + t] ?? 0);
      out.push(Math.max(-32768, Math.min(32767, Math.round(acc))));
    }
    this.#phase = pos - input.length;
    this.#hist = buf.slice(buf.length - (TAPS - 1));
    return Int16Array.from(out);
  }
}

/** Streaming 8 kHz → 48 kHz linear interpolator (one sample of history). */
export class Upsampler {
  #last = 0;

  process(input: Int16Array): Int16Array {
    const out = new Int16Array(input.length * RATIO);
    let prev = this.#last;
    for (let i = 0; i < input.length; i++) {
      const cur = input[i] ?? 0;
      for (let k = 0; k < RATIO; k++)
        out[i * RATIO + k] = Math.round(prev + ((cur - prev) * (k + 1)) / RATIO);
      prev = cur;
    }
    this.#last = prev;
    return out;
  }
}
