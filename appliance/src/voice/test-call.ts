import { randomUUID } from 'node:crypto';
import type { Lang, TtsPort } from '../flows/index.ts';
import type { Logger } from '../logging/index.ts';
import { VoiceError } from './errors.ts';
import type { LegSrtp } from './media/protocol.ts';
import type { MediaWorker } from './media/supervisor.ts';
import { audioOfferInvite, type Dialog, dialogToPhone, inDialogRequest } from './sip/dialog.ts';
import { addrUri, header, param } from './sip/message.ts';
import type { SipAccounts } from './sip/registrar.ts';
import { parseAudioSdp } from './sip/sdp.ts';
import type { SipTransport } from './sip/transport.ts';
import { acceptAnswer, makeOffer, sdesContext } from './srtp-policy.ts';

export interface TestCallDeps {
  transport: SipTransport;
  accounts: SipAccounts;
  worker: MediaWorker;
  tts: TtsPort;
  logger: Logger;
  bind: string;
  /** SDES settings (BRANCHLINE_SIP_SDES_OVER_PLAIN, BRANCHLINE_SRTP_ALARM_THRESHOLD). */
  options?: { sdesOverPlain?: boolean; srtpAlarmThreshold?: number };
}

/** Longest the prompt may play before the appliance hangs up anyway. */
const PLAY_LIMIT_MS = 30_000;

/**
 * Rings a registered desk phone from the appliance and, once it answers, plays a
 * spoken prompt over RTP and hangs up: proof that signalling and audio reach the
 * phone. Resolves when the phone answered; the prompt and the BYE follow.
 * VOICE_ACCOUNT_NOT_FOUND / VOICE_PHONE_NOT_REGISTERED / VOICE_TARGET_UNAVAILABLE.
 */
export async function placeTestCall(
  d: TestCallDeps,
  username: string,
  prompt: { text: string; lang: Lang },
): Promise<{ callId: string }> {
  const account = await d.accounts.get(username);
  if (!account) throw new VoiceError('VOICE_ACCOUNT_NOT_FOUND', `No SIP account ${username}`);
  const binding = d.accounts.binding(username);
  if (!binding)
    throw new VoiceError('VOICE_PHONE_NOT_REGISTERED', `SIP account ${username} is not registered`, {
      username,
    });
  // Synthesised first: a TTS failure must not ring the phone for silence.
  const file = await d.tts.synthesize(prompt.text, prompt.lang);
  // The account's SRTP policy holds for the test call too: a required phone is offered RTP/SAVP over TLS only.
  const peer = { host: binding.host, port: binding.port, transport: binding.transport };
  const sdes = sdesContext(d, account.srtp, peer);
  const offer = makeOffer(sdes);
  if (!offer.ok)
    throw new VoiceError('VOICE_TARGET_UNAVAILABLE', `test call to ${username} refused: ${offer.code}`, {
      reason: offer.code,
    });
  const legId = `test:${randomUUID()}`;
  const port = await d.worker.openRtp(legId, d.bind, offer.srtp ? { srtp: offer.srtp } : {});
  const dialog: Dialog = dialogToPhone('test', d.transport, binding);
  const invite = audioOfferInvite(dialog, {
    host: d.bind,
    port,
    ...(offer.local ? { crypto: offer.local } : {}),
  });
  const close = () => d.worker.request({ op: 'close', legId }).catch(() => undefined);
  let res: Awaited<ReturnType<SipTransport['request']>>;
  try {
    res = await d.transport.request(invite, dialog.peer);
  } catch (e) {
    await close();
    throw new VoiceError('VOICE_TARGET_UNAVAILABLE', `test call to ${username} failed`, { cause: String(e) });
  }
  if (res.status < 200 || res.status >= 300) {
    await close();
    throw new VoiceError('VOICE_TARGET_UNAVAILABLE', `test call to ${username} answered ${res.status}`, {
      status: res.status,
    });
  }
  dialog.remoteTag = param(header(res, 'to'), 'tag');
  dialog.remoteTarget = addrUri(header(res, 'contact')) ?? dialog.remoteTarget;
  const ack = inDialogRequest(dialog, 'ACK', { cseq: 1 });
  ack.headers.set('via', [d.transport.via(dialog.peer, d.transport.newBranch())]);
  d.transport.send(ack, dialog.peer);
  const answer = parseAudioSdp(res.body.toString('latin1'));
  const keyed = answer ? acceptAnswer(answer, offer.local, sdes) : undefined;
  if ((offer.local && !answer) || (keyed && !keyed.ok)) {
    void d.transport.request(inDialogRequest(dialog, 'BYE'), dialog.peer).catch(() => undefined);
    await close();
    throw new VoiceError('VOICE_TARGET_UNAVAILABLE', `test call to ${username}: plain RTP answered to SRTP`, {
      reason: keyed && !keyed.ok ? keyed.code : 'VOICE_SRTP_REQUIRED',
    });
  }
  void playThenHangUp(d, {
    dialog,
    legId,
    file,
    close,
    ...(answer ? { answer } : {}),
    ...(keyed?.ok && keyed.srtp ? { srtp: keyed.srtp } : {}),
  });
  return { callId: dialog.callId };
}

async function playThenHangUp(
  d: TestCallDeps,
  c: {
    dialog: Dialog;
    legId: string;
    file: string;
    close: () => Promise<unknown>;
    answer?: NonNullable<ReturnType<typeof parseAudioSdp>>;
    srtp?: LegSrtp;
  },
): Promise<void> {
  const playId = randomUUID();
  let detach: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    if (c.answer)
      await d.worker.request({
        op: 'update',
        legId: c.legId,
        remote: c.answer.remote,
        codec: c.answer.codec,
        dtmfPayloadType: c.answer.dtmfPayloadType,
        ...(c.srtp ? { srtp: c.srtp } : {}),
      });
    const played = new Promise<void>((resolve) => {
      detach = d.worker.on((e) => {
        if (e.ev === 'played' && e.legId === c.legId && e.playId === playId) resolve();
      });
      timer = setTimeout(resolve, PLAY_LIMIT_MS);
    });
    await d.worker.request({ op: 'play', legId: c.legId, playId, file: c.file });
    await played;
  } catch (e) {
    d.logger.warn(`test call prompt failed [callId:${c.dialog.callId}]`, { err: e });
  } finally {
    detach?.();
    clearTimeout(timer);
    const bye = inDialogRequest(c.dialog, 'BYE');
    await d.transport.request(bye, c.dialog.peer).catch(() => undefined);
    await c.close();
  }
}
