/** Reads exact byte counts from an async stream of chunks; `undefined` means the stream ended first. */
export class ByteReader {
  #it: AsyncIterator<Buffer>;
  #buf: Buffer = Buffer.alloc(0);
  #done = false;

  constructor(source: AsyncIterable<Buffer>) {
    this.#it = source[Symbol.asyncIterator]();
  }

  async read(n: number): Promise<Buffer | undefined> {
    while (this.#buf.length < n && !this.#done) {
      const next = await this.#it.next();
      if (next.done) this.#done = true;
      else this.#buf = this.#buf.length === 0 ? next.value : Buffer.concat([this.#buf, next.value]);
    }
    if (this.#buf.length < n) return undefined;
    const out = this.#buf.subarray(0, n);
    this.#buf = this.#buf.subarray(n);
    return out;
  }

  /** Drains the source so its end-of-stream checks run; true when nothing was left over. */
  async atEnd(): Promise<boolean> {
    while (!this.#done) {
      const next = await this.#it.next();
      if (next.done) this.#done = true;
      else if (next.value.length > 0) this.#buf = Buffer.concat([this.#buf, next.value]);
    }
    return this.#buf.length === 0;
  }
}
