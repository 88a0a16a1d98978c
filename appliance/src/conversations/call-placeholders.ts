import type { EventBus } from '../events/index.ts';
import type { ConversationStore, MessageDoc } from './store.ts';

/** The text voice stored as each call's first customer message before issue 14. */
const PLACEHOLDER = /^Voice call queued to \S.*$/;
const MIGRATION = 'call-placeholders-v1';

/** Exactly the synthetic call line: inbound, on voice, written by the call glue (it set meta.callId). */
export function isCallPlaceholder(m: MessageDoc): boolean {
  return (
    m.channel === 'voice' &&
    m.direction === 'in' &&
    typeof m.meta?.['callId'] === 'string' &&
    PLACEHOLDER.test(m.text)
  );
}

/**
 * Start-up migration (issue 14): removes the stored "Voice call queued to …"
 * messages so quality inspection, topics, sentiment and learning never see
 * them again. Runs once (a marker records it); the count is audited through
 * `conversation.call_placeholders_removed` with actor `system`.
 * @returns how many messages it removed (0 when it had already run).
 */
export async function removeCallPlaceholders(store: ConversationStore, bus: EventBus): Promise<number> {
  if (await store.migrated(MIGRATION)) return 0;
  const contacts = new Set<string>();
  let count = 0;
  for (const doc of await store.allMessages()) {
    if (!isCallPlaceholder(doc)) continue;
    await store.removeMessage(doc);
    contacts.add(doc.contactId);
    count++;
  }
  await store.markMigrated(MIGRATION, { count, contacts: contacts.size });
  await bus.publish(
    'conversation.call_placeholders_removed',
    { count, contacts: contacts.size },
    { actor: 'system' },
  );
  return count;
}
