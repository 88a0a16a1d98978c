import { createSocket, type Socket } from 'node:dgram';
import { build } from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './support/browser.ts';
import { run } from './voice-support/util.ts';

/** Chromium with a fake microphone playing `wav` (the flags DESIGN.md §3 lists for werift on loopback). */
export function launchWebRtcChromium(wav: string): Promise<Browser> {
  return launchChromium([
    '--allow-loopback-in-peer-connection',
    '--use-fake-device-for-media-stream',
    '--use-fake-ui-for-media-stream',
    `--use-file-for-fake-audio-capture=${wav}`,
    '--autoplay-policy=no-user-gesture-required',
  ]);
}

let bundle: string | undefined;
/** The console's softphone session code, bundled for a bare page as `window.Softphone`. */
export async function softphoneBundle(): Promise<string> {
  if (bundle) return bundle;
  const out = await build({
    entryPoints: [new URL('../web/src/softphone/session.ts', import.meta.url).pathname],
    bundle: true,
    format: 'iife',
    globalName: 'Softphone',
    write: false,
    target: 'es2022',
  });
  bundle = out.outputFiles[0]?.text ?? '';
  return bundle;
}

/** A page on `origin` (so fetch is same-origin) with the softphone code loaded. */
export async function softphonePage(browser: Browser, origin: string): Promise<Page> {
  const page = await browser.newPage();
  await page.goto(`${origin}/softphone-test`);
  // tsx keeps function names with a `__name` helper that page.evaluate callbacks then reference.
  await page.addScriptTag({ content: `window.__name = (f) => f;\n${await softphoneBundle()}` });
  return page;
}

/** A 44.1 kHz tone WAV for Chromium's fake microphone. */
export async function toneWav(path: string, freq: number, seconds = 20): Promise<void> {
  await run('sox', [
    '-n',
    '-r',
    '48000',
    '-c',
    '1',
    '-b',
    '16',
    path,
    'synth',
    String(seconds),
    'sine',
    String(freq),
    'vol',
    '0.5',
  ]);
}

/** A UDP RTP peer: sends μ-law frames every 20 ms at `send`, keeps what arrives. */
export class RtpPeer {
  socket!: Socket;
  received: Buffer[] = [];
  #timer: NodeJS.Timeout | undefined;
  #seq = 1;
  #ts = 0;

  async start(): Promise<number> {
    this.socket = createSocket('udp4');
    await new Promise<void>((r) => this.socket.bind(0, '127.0.0.1', r));
    this.socket.on('message', (m) => {
      if (m.length > 12 && ((m[1] ?? 0) & 0x7f) === 0) this.received.push(Buffer.from(m.subarray(12)));
    });
    return this.socket.address().port;
  }

  /**
   * `drop` skips sending some frames (their sequence numbers are still used: loss).
   * `catchUp` sends every frame that is due after this process stalled (a phone's
   * clock does not stop when ours does), instead of one frame per timer tick.
   */
  stream(
    to: number,
    frame: (i: number) => Buffer,
    options: { drop?: (i: number) => boolean; catchUp?: boolean } = {},
  ): void {
    let i = 0;
    const started = performance.now();
    const one = () => {
      if (options.drop?.(i)) {
        this.#seq++;
        this.#ts += 160;
        i++;
        return;
      }
      const p = Buffer.alloc(172);
      p[0] = 0x80;
      p[1] = 0;
      p.writeUInt16BE(this.#seq++ & 0xffff, 2);
      p.writeUInt32BE(this.#ts, 4);
      this.#ts += 160;
      p.writeUInt32BE(0xbeef, 8);
      frame(i++).copy(p, 12);
      this.socket.send(p, to, '127.0.0.1');
    };
    this.#timer = setInterval(() => {
      const due = options.catchUp ? Math.floor((performance.now() - started) / 20) + 1 : i + 1;
      while (i < due) one();
    }, 20);
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.socket.close();
  }
}

/** A minimal trusted-trunk UAC: INVITE with an SDP at `rtpPort`, ACK the 200, BYE later. */
export async function sipInvite(
  sip: { host: string; port: number },
  rtpPort: number,
): Promise<{ mediaPort: number; bye: () => Promise<void>; close: () => void }> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  const me = s.address().port;
  const callId = `webrtc-test-${Math.random().toString(36).slice(2)}@127.0.0.1`;
  const sdp = `v=0\r\no=caller 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio ${rtpPort} RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n`;
  const msg = (method: string, cseq: number, toTag: string, body = '') =>
    [
      `${method} sip:ivr@${sip.host}:${sip.port} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${me};branch=z9hG4bK${Math.random().toString(36).slice(2)}`,
      'From: <sip:+8613800000000@127.0.0.1>;tag=caller1',
      `To: <sip:ivr@${sip.host}>${toTag ? `;tag=${toTag}` : ''}`,
      `Call-ID: ${callId}`,
      `CSeq: ${cseq} ${method}`,
      `Contact: <sip:caller@127.0.0.1:${me}>`,
      'Max-Forwards: 70',
      ...(body ? ['Content-Type: application/sdp'] : []),
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n');
  const ok = new Promise<string>((resolve) =>
    s.on('message', (m) => {
      const t = m.toString('latin1');
      if (/^SIP\/2\.0 200/.test(t) && / INVITE/.test(/CSeq:[^\r]*/i.exec(t)?.[0] ?? '')) resolve(t);
      else if (/^BYE /.test(t)) {
        const via = /Via:[^\r]*/i.exec(t)?.[0] ?? '';
        const hdr = (n: string) => new RegExp(`^${n}:[^\\r]*`, 'im').exec(t)?.[0] ?? '';
        s.send(
          `SIP/2.0 200 OK\r\n${via}\r\n${hdr('From')}\r\n${hdr('To')}\r\n${hdr('Call-ID')}\r\n${hdr('CSeq')}\r\nContent-Length: 0\r\n\r\n`,
          sip.port,
          sip.host,
        );
      }
    }),
  );
  s.send(msg('INVITE', 1, '', sdp), sip.port, sip.host);
  const res = await ok;
  const toTag = /^To:[^\r]*;tag=([^;\r]+)/im.exec(res)?.[1] ?? '';
  s.send(msg('ACK', 1, toTag), sip.port, sip.host);
  return {
    mediaPort: Number(/m=audio (\d+)/.exec(res)?.[1]),
    bye: async () => {
      s.send(msg('BYE', 2, toTag), sip.port, sip.host);
      await new Promise((r) => setTimeout(r, 200));
    },
    close: () => s.close(),
  };
}
