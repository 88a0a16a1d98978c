import { InvalidStateError } from '../../contracts/index.ts';
import type { ChannelSender, InboundMessage, IngestResult } from '../../conversations/index.ts';
import type { ModuleContext } from '../../modules.ts';

/** The part of the conversations service a channel adapter uses. */
export interface ConversationsPort {
  ingest(msg: InboundMessage): Promise<IngestResult>;
  registerSender(sender: ChannelSender): void;
}

/**
 * `ctx.services.conversations`, or a start-up error naming the problem: a
 * channel without the conversations module would accept messages it cannot keep.
 */
export function conversationsOf(ctx: ModuleContext, module: string): ConversationsPort {
  const conv = (ctx.services as unknown as { conversations?: ConversationsPort }).conversations;
  if (!conv || typeof conv.ingest !== 'function' || typeof conv.registerSender !== 'function') {
    throw new InvalidStateError(
      `Module ${module} needs the conversations service: list the conversations module before it in module-list.ts`,
    );
  }
  return conv;
}
