import type { Lang, TtsPort } from '../flows/index.ts';
import type { Logger } from '../logging/index.ts';
import type { CallMediaIO } from './call-io.ts';
import { holdMusicPath } from './moh.ts';

/** Routing's view of a waiting task (the call's contact id is its task id). */
export interface QueueEstimate {
  position: number;
  /** null: nobody who could take the call is signed in. */
  ewtSeconds: number | null;
}

export type QueuePositionPort = (contactId: string) => QueueEstimate | undefined;

/** The spoken position/estimated-wait text; minutes rounded up so the caller is never promised too little. */
export function waitAnnouncement(est: QueueEstimate | undefined, lang: Lang): string {
  if (lang === 'zh') {
    if (!est) return '所有坐席正忙，请稍候。';
    const pos = `您前面还有${Math.max(0, est.position - 1)}位客户。`;
    if (est.ewtSeconds === null) return `${pos}请稍候，坐席将尽快为您服务。`;
    return `${pos}预计等待${Math.max(1, Math.ceil(est.ewtSeconds / 60))}分钟。`;
  }
  if (!est) return 'All our agents are busy. Please hold.';
  const pos = `You are number ${est.position} in the queue.`;
  if (est.ewtSeconds === null) return `${pos} An agent will be with you as soon as possible.`;
  const min = Math.max(1, Math.ceil(est.ewtSeconds / 60));
  return `${pos} The estimated wait is about ${min} ${min === 1 ? 'minute' : 'minutes'}.`;
}

/**
 * While a call waits for an agent: announce the position, then loop music on hold
 * for `everyMs`, and again, until `waiting()` turns false. Connecting an agent
 * stops the current prompt in the worker (stopPlay/bridge end it), which wakes
 * this loop; the check right before each play keeps a prompt from starting after
 * the bridge, because worker commands are sent in call order.
 */
export async function holdInQueue(
  io: CallMediaIO,
  o: {
    tts: TtsPort;
    logger: Logger;
    lang: Lang;
    everyMs: number;
    music?: string;
    waiting: () => boolean;
    estimate: () => QueueEstimate | undefined;
    callId: string;
  },
): Promise<void> {
  const music = o.music ?? holdMusicPath();
  try {
    while (o.waiting()) {
      const prompt = await o.tts.synthesize(waitAnnouncement(o.estimate(), o.lang), o.lang);
      if (!o.waiting()) return;
      await io.play(prompt);
      if (!o.waiting()) return;
      await io.play(music, { loop: true, maxMs: o.everyMs });
    }
  } catch (e) {
    // A hangup ends the wait by rejecting the pending play: nothing to report then.
    if (o.waiting()) o.logger.warn('queue announcements stopped', { callId: o.callId, error: String(e) });
  }
}
