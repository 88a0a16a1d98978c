import { MAX_MESSAGE_BYTES } from './message.ts';

export class SipFramingError extends Error {
  override name = 'SipFramingError';
}

const CONTENT_LENGTH = /^(?:content-length|l)[ \t]*:[ \t]*(\d{1,6})[ \t]*$/im;
const HEAD_END = Buffer.from('\r\n\r\n');

/**
 * Splits a SIP byte stream (TCP/TLS, RFC 3261 §18.3) into messages by
 * Content-Length, which is mandatory on streams. Leading CRLFs are keep-alives
 * (RFC 5626 §3.5.1): a double CRLF "ping" is reported so the caller can "pong".
 * Anything over `maxBytes` or without a Content-Length throws SipFramingError;
 * the stream cannot be resynchronised after that, so the caller closes it.
 */
export class SipFramer {
  #buf: Buffer = Buffer.alloc(0);
  #max: number;

  constructor(options: { maxBytes?: number } = {}) {
    this.#max = options.maxBytes ?? MAX_MESSAGE_BYTES;
  }

  /** Feeds bytes; returns complete messages and how many keep-alive pings arrived. */
  push(chunk: Buffer): { messages: Buffer[]; pings: number } {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    const messages: Buffer[] = [];
    let pings = 0;
    for (;;) {
      let skip = 0;
      while (skip + 1 < this.#buf.length && this.#buf[skip] === 13 && this.#buf[skip + 1] === 10) skip += 2;
      if (skip >= 4) pings++;
      if (skip > 0) this.#buf = this.#buf.subarray(skip);
      const end = this.#buf.indexOf(HEAD_END);
      if (end < 0) {
        if (this.#buf.length > this.#max) throw new SipFramingError('headers exceed the message size limit');
        break;
      }
      const head = this.#buf.subarray(0, end).toString('latin1');
      const cl = CONTENT_LENGTH.exec(head);
      if (!cl?.[1]) throw new SipFramingError('no Content-Length on a stream transport');
      const total = end + 4 + Number(cl[1]);
      if (total > this.#max) throw new SipFramingError('message exceeds the size limit');
      if (this.#buf.length < total) break;
      messages.push(Buffer.from(this.#buf.subarray(0, total)));
      this.#buf = this.#buf.subarray(total);
    }
    return { messages, pings };
  }

  get buffered(): number {
    return this.#buf.length;
  }
}
