import type { EventBus } from '../events/index.ts';
import type { Logger } from '../logging/index.ts';
import type { VoiceService } from './calls.ts';

/**
 * A frozen agent's live calls do not end with them: each bridged call's agent
 * leg is released by a blind transfer back to the call's queue, so the caller
 * hears the hold tone and waits for the next agent instead of being cut off.
 */
export function requeueOnFreeze(
  voice: () => VoiceService,
  deps: { bus: EventBus; logger: Logger },
): () => void {
  return deps.bus.subscribe('user.frozen', async (e) => {
    const { userId } = e.data;
    const calls = voice()
      .list()
      .filter((c) => c.agentLeg?.userId === userId && c.state === 'bridged');
    for (const call of calls) {
      try {
        await voice().transfer(call.id, 'blind', { queue: call.queue ?? 'default' }, { userId: 'system' });
        deps.logger.info(`frozen agent's call requeued [callId:${call.id}] [agentId:${userId}]`);
      } catch (err) {
        deps.logger.warn(`frozen agent's call not requeued [callId:${call.id}] [agentId:${userId}]`, {
          error: String(err),
        });
      }
    }
  });
}
