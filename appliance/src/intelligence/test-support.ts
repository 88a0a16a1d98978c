// A bot world on real LevelDB for tests: customers, conversations and the intelligence
// database in one data dir, so "restart" means closing every store and opening them again.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { ConversationService, ConversationStore } from '../conversations/index.ts';
import { CustomerService } from '../customers/index.ts';
import { EventBus } from '../events/index.ts';
import { openCrypto, openPouchStore } from '../storage/index.ts';
import { BotRunner } from './bot-runner.ts';
import { DialogueMemory } from './dialogue-memory.ts';
import { DialogueStore } from './dialogue-store.ts';
import { IntelligenceService } from './service.ts';
import { IntelligenceStore } from './store.ts';

/** Real time plus whatever a test skipped: outbound messages are stamped by the real clock. */
export class Clock {
  #skipped = 0;
  now = () => Date.now() + this.#skipped;
  advance(minutes: number): void {
    this.#skipped += minutes * 60_000;
  }
}

export type BotWorld = Awaited<ReturnType<typeof bootWorld>>;

export async function bootWorld(dir: string, clock: Clock) {
  const crypto = await openCrypto(dir);
  const bus = new EventBus();
  const dbDir = join(dir, 'db');
  const raw = {
    customers: await openPouchStore(dbDir, 'customers'),
    conversations: await openPouchStore(dbDir, 'conversations'),
    intelligence: await openPouchStore(dbDir, 'intelligence'),
  };
  const blind = (kind: string, value: string) => crypto.blindIndex(kind, value);
  const customers = new CustomerService(raw.customers, {
    index: { blindIndex: blind },
    bus,
    auditRead: async () => undefined,
    shredder: { shred: async (keyId) => void (await crypto.shred(keyId)) },
  });
  const conversations = new ConversationService(new ConversationStore(raw.conversations, blind), {
    customers,
    bus,
  });
  const sent: Array<{ contactId: string; text: string }> = [];
  conversations.registerSender({
    channel: 'webchat',
    send: async ({ contact, message }) => {
      sent.push({ contactId: contact.id, text: message.text });
      return {};
    },
  });
  const intel = new IntelligenceService(new IntelligenceStore(raw.intelligence), { bus });
  await intel.load();
  if (!intel.settings().botEnabled) await intel.saveSettings({ botEnabled: true }, 'test');
  const dialogues = new DialogueStore(raw.intelligence, { crypto });
  const memory = new DialogueMemory(dialogues, {
    idleMs: () => intel.settings().botIdleMinutes * 60_000,
    now: clock.now,
  });
  const bot = new BotRunner({ bus, conversations }, intel, { memory });
  const events: Array<{ type: string; data: unknown }> = [];
  bus.subscribe('*', (e) => void events.push({ type: e.type, data: e.data }));

  /** A visitor message as the widget hub ingests it; resolves once the bot has answered. */
  const say = async (visitor: string, text: string) => {
    const r = await conversations.ingest({
      channel: 'webchat',
      handles: [{ kind: 'web_visitor', value: visitor }],
      externalId: `${visitor}:${randomUUID()}`,
      threadKey: visitor,
      text,
      receivedAt: new Date(clock.now()),
    });
    await bot.idle();
    return r;
  };
  return {
    crypto,
    bus,
    raw,
    customers,
    conversations,
    intel,
    dialogues,
    memory,
    bot,
    sent,
    events,
    say,
    /** Replies the bot sent to one chat, oldest first. */
    replies: (contactId: string) => sent.filter((m) => m.contactId === contactId).map((m) => m.text),
    async close() {
      bot.close();
      await bot.idle();
      for (const db of Object.values(raw)) await db.close();
      crypto.close();
    },
  };
}
