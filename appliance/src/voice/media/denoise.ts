/**
 * Noise suppression for narrowband (8 kHz) call audio, what Asterisk's
 * DENOISE() does for a channel: a short-time Fourier transform (256-point
 * sqrt-Hann windows, 50 % overlap), a noise floor per frequency bin tracked
 * by minimum statistics, and a Wiener gain with the decision-directed a
 * priori SNR of Ephraim and Malah (which keeps "musical noise" down). Speech
 * passes; steady noise (fans, traffic, line hiss) is pulled down by up to
 * 20 dB. The output lags the input by `NoiseSuppressor.DELAY` samples (32 ms).
 */
const N = 256;
const HOP = N / 2;
const BINS = N / 2 + 1;
/** Smoothing of the power spectrum before minimum tracking. */
const SMOOTH = 0.5;
/** How fast the floor may rise while the minimum is above it (≈ 3 dB/s at 62.5 hops/s). */
const RISE = 1.011;
/** Minimum statistics underestimate the mean noise power; this restores it. */
const BIAS = 1.5;
const DD = 0.98;
const FLOOR = 0.1;
const WARMUP = 8;

const WINDOW: Float64Array = (() => {
  const w = new Float64Array(N);
  // Periodic sqrt-Hann: analysis × synthesis sums to 1 at 50 % overlap.
  for (let i = 0; i < N; i++) w[i] = Math.sqrt(0.5 - 0.5 * Math.cos((2 * Math.PI * i) / N));
  return w;
})();

const TWIDDLE = (() => {
  const re = new Float64Array(N / 2);
  const im = new Float64Array(N / 2);
  for (let i = 0; i < N / 2; i++) {
    re[i] = Math.cos((-2 * Math.PI * i) / N);
    im[i] = Math.sin((-2 * Math.PI * i) / N);
  }
  return { re, im };
})();

const REVERSED: Uint16Array = (() => {
  const r = new Uint16Array(N);
  const bits = Math.log2(N);
  for (let i = 0; i < N; i++) {
    let x = i;
    let y = 0;
    for (let b = 0; b < bits; b++) {
      y = (y << 1) | (x & 1);
      x >>= 1;
    }
    r[i] = y;
  }
  return r;
})();

/** In-place radix-2 FFT of length N; `inverse` conjugates the twiddles (the caller scales by 1/N). */
function fft(re: Float64Array, im: Float64Array, inverse: boolean): void {
  for (let i = 0; i < N; i++) {
    const j = REVERSED[i] ?? 0;
    if (j > i) {
      const tr = re[i] ?? 0;
      re[i] = re[j] ?? 0;
      re[j] = tr;
      const ti = im[i] ?? 0;
      im[i] = im[j] ?? 0;
      im[j] = ti;
    }
  }
  for (let size = 2; size <= N; size <<= 1) {
    const half = size >> 1;
    const step = N / size;
    for (let start = 0; start < N; start += size) {
      for (let k = 0; k < half; k++) {
        const wr = TWIDDLE.re[k * step] ?? 0;
        const wi = (inverse ? -1 : 1) * (TWIDDLE.im[k * step] ?? 0);
        const a = start + k;
        const b = a + half;
        const br = re[b] ?? 0;
        const bi = im[b] ?? 0;
        const xr = br * wr - bi * wi;
        const xi = br * wi + bi * wr;
        re[b] = (re[a] ?? 0) - xr;
        im[b] = (im[a] ?? 0) - xi;
        re[a] = (re[a] ?? 0) + xr;
        im[a] = (im[a] ?? 0) + xi;
      }
    }
  }
}

/** One direction of one call: keeps its noise estimate and overlap between frames. */
export class NoiseSuppressor {
  /** Samples of delay between what goes in and what comes out. */
  static readonly DELAY = N;

  #history = new Float64Array(N - HOP);
  #pending = new Float64Array(HOP);
  #filled = 0;
  #overlap = new Float64Array(N - HOP);
  /** Output ring: written a hop at a time, read a frame at a time; starts one hop ahead. */
  #ring = new Float64Array(4096);
  #read = 0;
  #write = HOP;
  #smoothed = new Float64Array(BINS);
  #minimum = new Float64Array(BINS);
  #prevClean = new Float64Array(BINS);
  #hops = 0;
  #re = new Float64Array(N);
  #im = new Float64Array(N);

  /** Returns as many samples as it was given, `DELAY` samples late. */
  process(input: Int16Array): Int16Array {
    const out = new Int16Array(input.length);
    const mask = this.#ring.length - 1;
    for (let i = 0; i < input.length; i++) {
      this.#pending[this.#filled++] = input[i] ?? 0;
      if (this.#filled === HOP) {
        this.#hop(this.#pending);
        this.#filled = 0;
      }
      // The ring always holds at least one sample here: it starts a hop ahead and gains a hop per HOP inputs.
      const v = this.#ring[this.#read & mask] ?? 0;
      this.#read++;
      out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : Math.round(v);
    }
    return out;
  }

  #hop(fresh: Float64Array): void {
    const re = this.#re;
    const im = this.#im;
    const keep = N - HOP;
    for (let i = 0; i < keep; i++) re[i] = (this.#history[i] ?? 0) * (WINDOW[i] ?? 0);
    for (let i = 0; i < HOP; i++) re[keep + i] = (fresh[i] ?? 0) * (WINDOW[keep + i] ?? 0);
    im.fill(0);
    // N - HOP === HOP: the fresh hop is the next window's history.
    this.#history.set(fresh);
    fft(re, im, false);
    this.#hops++;
    for (let k = 0; k < BINS; k++) {
      const power = (re[k] ?? 0) ** 2 + (im[k] ?? 0) ** 2;
      const gain = this.#gain(k, power);
      re[k] = (re[k] ?? 0) * gain;
      im[k] = (im[k] ?? 0) * gain;
      if (k > 0 && k < N / 2) {
        re[N - k] = (re[N - k] ?? 0) * gain;
        im[N - k] = (im[N - k] ?? 0) * gain;
      }
    }
    fft(re, im, true);
    const mask = this.#ring.length - 1;
    for (let i = 0; i < N; i++) re[i] = ((re[i] ?? 0) / N) * (WINDOW[i] ?? 0);
    for (let i = 0; i < HOP; i++)
      this.#ring[(this.#write + i) & mask] = (this.#overlap[i] ?? 0) + (re[i] ?? 0);
    this.#write += HOP;
    for (let i = 0; i < keep; i++) this.#overlap[i] = re[HOP + i] ?? 0;
  }

  #gain(k: number, power: number): number {
    const s = this.#hops <= 1 ? power : SMOOTH * (this.#smoothed[k] ?? 0) + (1 - SMOOTH) * power;
    this.#smoothed[k] = s;
    const min = this.#minimum[k] ?? 0;
    this.#minimum[k] = this.#hops <= 1 || s < min ? s : min * RISE;
    if (this.#hops <= WARMUP) {
      this.#prevClean[k] = power;
      return 1;
    }
    const noise = Math.max(BIAS * (this.#minimum[k] ?? 0), 1e-3);
    const post = power / noise;
    const prior = DD * ((this.#prevClean[k] ?? 0) / noise) + (1 - DD) * Math.max(post - 1, 0);
    const gain = Math.max(FLOOR, prior / (1 + prior));
    this.#prevClean[k] = gain * gain * power;
    return gain;
  }
}
