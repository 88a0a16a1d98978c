import { CallMediaIO } from './call-io.ts';
import type { Call, CallsContext } from './call-types.ts';
import type { Dialog } from './sip/dialog.ts';
import type { CallInfo } from './types.ts';

/** A fresh call record; its media IO runs on the customer leg and pauses the call's recording. */
export function newCall(
  c: Pick<CallsContext, 'd' | 'recording'>,
  init: { info: CallInfo; dialog: Dialog; agent?: Call['agent']; sipless?: true },
): Call {
  const { info, dialog } = init;
  const id = info.id;
  return {
    info,
    dialog,
    inviteKey: dialog.callId,
    lastResponse: undefined,
    retransmit: undefined,
    agent: init.agent,
    startedMs: Date.now(),
    pausedBy: undefined,
    ...(init.sipless ? { sipless: true } : {}),
    io: new CallMediaIO(c.d.worker, info.customerLeg.legId, {
      tts: c.d.tts,
      asr: c.d.asr,
      recording: {
        pause: (reason) => c.recording.pause(id, reason),
        resume: (reason) => c.recording.resume(id, reason),
      },
    }),
  };
}
