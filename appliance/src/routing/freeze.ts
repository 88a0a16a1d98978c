import type { EventBus } from '../events/index.ts';
import { createLogger } from '../logging/index.ts';
import type { RoutingService } from './service.ts';

const log = createLogger('routing');

/**
 * A frozen user (admin API, `branchline user freeze`, or HQ through sync) is
 * an agent no more: offline at once, so their open offers are revoked and the
 * tasks go back to their original place in the queue (offer_cancelled), their
 * sticky holds are released, and nothing new is offered to them.
 */
export function offlineOnFreeze(service: RoutingService, bus: EventBus): () => void {
  return bus.subscribe('user.frozen', (e) => {
    const { userId } = e.data;
    const agent = service.engine.agent(userId);
    if (!agent || agent.state === 'offline') return;
    const offers = service.engine.offersFor(userId).length;
    service.setMyState(userId, 'offline');
    log.info(`frozen agent set offline [agentId:${userId}] [offersRevoked:${offers}]`);
  });
}
