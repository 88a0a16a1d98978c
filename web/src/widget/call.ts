// The widget's "call us" button: a browser call into the branch's IVR over WebRTC.
import { SoftphoneSession } from '../softphone/session.ts';
import type { WidgetText } from './i18n.ts';

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'];

type Make = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  cls: string,
  text?: string,
) => HTMLElementTagNameMap[K];

/**
 * Builds the call block: a call button, a status line, a DTMF keypad and a
 * hang-up button. The customer has no session: the public endpoint is
 * rate-limited per address and the unguessable session id is the only handle.
 * The microphone keeps echo cancellation, noise suppression and auto gain on.
 */
export function callBlock(origin: string, t: WidgetText, el: Make): HTMLElement {
  const tid = (e: HTMLElement, id: string) => e.setAttribute('data-testid', id);
  const box = el('div', 'bl-call');
  tid(box, 'bl-call');
  const start = el('button', 'bl-btn bl-call-btn', t.call);
  start.type = 'button';
  tid(start, 'bl-call-start');
  const state = el('p', 'bl-call-state', '');
  tid(state, 'bl-call-state');
  const pad = el('div', 'bl-keypad bl-hidden');
  tid(pad, 'bl-keypad');
  const hang = el('button', 'bl-btn bl-hangup bl-hidden', t.hangup);
  hang.type = 'button';
  tid(hang, 'bl-call-hangup');
  box.append(start, state, pad, hang);

  let session: SoftphoneSession | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  const show = (e: HTMLElement, on: boolean) => e.classList.toggle('bl-hidden', !on);
  const set = (text: string, phase: string) => {
    state.textContent = text;
    box.dataset['phase'] = phase;
  };

  for (const k of KEYS) {
    const b = el('button', 'bl-key', k);
    b.type = 'button';
    b.setAttribute('aria-label', `${t.key} ${k}`);
    tid(b, `bl-key-${k}`);
    b.onclick = () => session?.sendDtmf(k);
    pad.append(b);
  }

  const end = async () => {
    const s = session;
    session = undefined;
    clearInterval(timer);
    show(pad, false);
    show(hang, false);
    show(start, true);
    set(t.callEnded, 'ended');
    if (!s) return;
    s.close();
    await fetch(`${origin}/api/voice/webrtc/public/calls/${s.sessionId}`, { method: 'DELETE' }).catch(
      () => undefined,
    );
  };

  start.onclick = async () => {
    show(start, false);
    set(t.calling, 'connecting');
    try {
      session = await SoftphoneSession.start({
        codec: 'pcmu',
        signal: async (sdp) => {
          const r = await fetch(`${origin}/api/voice/webrtc/public/calls`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ sdp }),
          });
          if (!r.ok) throw new Error(`call refused (${r.status})`);
          return (await r.json()) as { sessionId: string; sdp: string };
        },
      });
      set(t.inCall, 'active');
      show(pad, true);
      show(hang, true);
      // Received-packet count on the element: the page (and its tests) can see audio arriving.
      timer = setInterval(async () => {
        const s = session && (await session.stats());
        if (s) box.dataset['packets'] = String(s.packetsReceived);
        if (session && session.pc.connectionState === 'failed') void end();
      }, 1000);
    } catch {
      set(t.callFailed, 'failed');
      show(start, true);
    }
  };
  hang.onclick = () => void end();
  return box;
}
