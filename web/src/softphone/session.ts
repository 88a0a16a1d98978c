/**
 * One browser call leg to the appliance's media worker, framework free (the
 * console component and the tests drive the same code). The browser offers,
 * the appliance answers over HTTP; no trickle ICE (candidates ride in the SDP).
 */
export type SoftphoneCodec = 'pcmu' | 'opus';

export interface SignalAnswer {
  sessionId: string;
  sdp: string;
  /** The call the appliance bridged this leg to, when it answered one. */
  callId?: string;
}

export interface SoftphoneOptions {
  /** Sends the offer to the appliance and returns its answer. */
  signal: (offerSdp: string) => Promise<SignalAnswer>;
  /** PCMU for calls that end on the phone network (no transcoding), Opus browser to browser. */
  codec?: SoftphoneCodec;
  /** Where the far end's audio plays; a detached element is created when absent. */
  audio?: HTMLAudioElement;
  connectTimeoutMs?: number;
}

export interface SoftphoneStats {
  packetsReceived: number;
  packetsSent: number;
  jitterMs: number;
  packetsLost: number;
}

/** The constraints the brief demands: the DSP the browser does well stays on. */
export const MIC_CONSTRAINTS: MediaTrackConstraints = {
  echoCancellation: true,
  noiseSuppression: true,
  autoGainControl: true,
};

export class SoftphoneSession {
  readonly sessionId: string;
  readonly pc: RTCPeerConnection;
  #track: MediaStreamTrack;
  #sender: RTCRtpSender;
  #audio: HTMLAudioElement;
  #muted = false;
  #held = false;

  private constructor(
    sessionId: string,
    pc: RTCPeerConnection,
    parts: { track: MediaStreamTrack; sender: RTCRtpSender; audio: HTMLAudioElement },
  ) {
    this.sessionId = sessionId;
    this.pc = pc;
    this.#track = parts.track;
    this.#sender = parts.sender;
    this.#audio = parts.audio;
  }

  static async start(options: SoftphoneOptions): Promise<SoftphoneSession> {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: MIC_CONSTRAINTS });
    const track = stream.getAudioTracks()[0];
    if (!track) throw new Error('no microphone');
    const pc = new RTCPeerConnection();
    try {
      const transceiver = pc.addTransceiver(track, { direction: 'sendrecv', streams: [stream] });
      preferCodec(transceiver, options.codec ?? 'pcmu');
      const audio = options.audio ?? new Audio();
      audio.autoplay = true;
      pc.addEventListener('track', (e) => {
        audio.srcObject = e.streams[0] ?? new MediaStream([e.track]);
      });
      await pc.setLocalDescription(await pc.createOffer());
      await gathered(pc);
      const answer = await options.signal(pc.localDescription?.sdp ?? '');
      await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
      await connected(pc, options.connectTimeoutMs ?? 10_000);
      return new SoftphoneSession(answer.sessionId, pc, { track, sender: transceiver.sender, audio });
    } catch (e) {
      pc.close();
      track.stop();
      throw e;
    }
  }

  get muted(): boolean {
    return this.#muted;
  }
  get held(): boolean {
    return this.#held;
  }

  mute(on: boolean): void {
    this.#muted = on;
    this.#apply();
  }

  /** Hold: nothing goes out and nothing plays (the media path stays up for a quick resume). */
  hold(on: boolean): void {
    this.#held = on;
    this.#audio.muted = on;
    this.#apply();
  }

  #apply(): void {
    this.#track.enabled = !this.#muted && !this.#held;
  }

  /** RFC 4733 telephone-events in the media stream (drives the IVR). */
  sendDtmf(tones: string): boolean {
    const dtmf = this.#sender.dtmf;
    if (!dtmf?.canInsertDTMF) return false;
    dtmf.insertDTMF(tones, 120, 80);
    return true;
  }

  async stats(): Promise<SoftphoneStats> {
    const out: SoftphoneStats = { packetsReceived: 0, packetsSent: 0, jitterMs: 0, packetsLost: 0 };
    const report = await this.pc.getStats();
    report.forEach((s: Record<string, unknown>) => {
      if (s['type'] === 'inbound-rtp' && s['kind'] === 'audio') {
        out.packetsReceived += Number(s['packetsReceived'] ?? 0);
        out.packetsLost += Number(s['packetsLost'] ?? 0);
        out.jitterMs = Number(s['jitter'] ?? 0) * 1000;
      }
      if (s['type'] === 'outbound-rtp' && s['kind'] === 'audio')
        out.packetsSent += Number(s['packetsSent'] ?? 0);
    });
    return out;
  }

  close(): void {
    this.#track.stop();
    this.pc.close();
    this.#audio.srcObject = null;
  }
}

function preferCodec(t: RTCRtpTransceiver, codec: SoftphoneCodec): void {
  const caps = RTCRtpReceiver.getCapabilities('audio')?.codecs ?? [];
  const want = codec === 'pcmu' ? 'audio/pcmu' : 'audio/opus';
  const picked = caps.filter((c) => c.mimeType.toLowerCase() === want);
  const dtmf = caps.filter(
    (c) => c.mimeType.toLowerCase() === 'audio/telephone-event' && c.clockRate === 8000,
  );
  if (picked.length > 0 && typeof t.setCodecPreferences === 'function')
    t.setCodecPreferences([...picked, ...dtmf]);
}

function gathered(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(resolve, 3000);
    pc.addEventListener('icegatheringstatechange', () => {
      if (pc.iceGatheringState !== 'complete') return;
      clearTimeout(t);
      resolve();
    });
  });
}

function connected(pc: RTCPeerConnection, timeoutMs: number): Promise<void> {
  if (pc.connectionState === 'connected') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`not connected (${pc.connectionState})`)), timeoutMs);
    pc.addEventListener('connectionstatechange', () => {
      if (pc.connectionState === 'connected') {
        clearTimeout(t);
        resolve();
      } else if (pc.connectionState === 'failed') {
        clearTimeout(t);
        reject(new Error('connection failed'));
      }
    });
  });
}
