import { SupervisedLoop } from '../events/index.ts';
import type { BranchModule } from '../modules.ts';
import { EncryptedDocStore } from '../storage/index.ts';
import { AcousticCheck } from './acoustic-check.ts';
import { assistFor } from './assist.ts';
import { BotRunner } from './bot-runner.ts';
import { DialogueMemory } from './dialogue-memory.ts';
import { DialogueStore } from './dialogue-store.ts';
import { intelligenceRoutes } from './routes.ts';
import { scorecardRoutes } from './routes-scorecards.ts';
import { Scorecards } from './scorecards.ts';
import { IntelligenceService } from './service.ts';
import { IntelligenceStore, keyIdFor, SEALED_FIELDS } from './store.ts';

/** How often idle bot dialogues are looked for (the idle limit itself is a setting, 30 min by default). */
const SWEEP_EVERY_MS = 60_000;

/**
 * Chatbot, agent assist and QA. List it after conversations, routing,
 * knowledge, crm and tickets: it uses whichever of them are present.
 */
export const intelligenceModule: BranchModule = {
  name: 'intelligence',
  async init(ctx) {
    const { services } = ctx;
    const raw = await ctx.openStore('intelligence');
    const db = new EncryptedDocStore(raw, {
      crypto: services.crypto,
      fields: SEALED_FIELDS,
      keyIdFor,
    });
    const scorecards = new Scorecards(db, { bus: services.bus });
    await scorecards.load();
    const intel = new IntelligenceService(new IntelligenceStore(db), {
      bus: services.bus,
      scorecards,
      ...(services.conversations ? { conversations: services.conversations } : {}),
    });
    await intel.load();
    await intel.dropUntranscribedQa();
    ctx.provide('intelligence', intel);
    const memory = new DialogueMemory(new DialogueStore(raw, { crypto: services.crypto }), {
      idleMs: () => intel.settings().botIdleMinutes * 60_000,
    });
    const bot = new BotRunner(services, intel, { memory });
    const offs: Array<() => void> = [];
    const conv = services.conversations;
    // Calls are scored once their recording is measured, in the background; text-only when it cannot be.
    const acoustic = new AcousticCheck({
      bus: services.bus,
      ...(services.recordings && conv ? { audio: services.recordings } : {}),
      recordRead: (r) => ctx.recordRead(r),
      score: async (job, metrics) => {
        if (!conv) return;
        const c = await conv.getContact(job.contactId);
        await intel.scoreContact(
          c,
          await conv.messagesOf(c.conversationId),
          metrics ? { acoustic: metrics } : {},
        );
      },
      onError: (what, err) => intel.logFailure(what, err),
    });
    if (conv) {
      offs.push(
        services.bus.subscribe('contact.closed', async (e) => {
          try {
            const c = await conv.getContact(e.data.contactId);
            const messages = await conv.messagesOf(c.conversationId);
            await intel.learnFromClosed(c, messages);
            const callId =
              c.channel === 'voice' && c.threadKey.startsWith('call:') ? c.threadKey.slice(5) : '';
            if (c.agentId && !(callId && acoustic.enqueue({ contactId: c.id, callId })))
              await intel.scoreContact(c, messages);
          } catch (err) {
            intel.logFailure(`closing analysis failed [contact:${e.data.contactId}]`, err);
          }
        }),
        services.bus.subscribe('conversation.message_received', async (e) => {
          if (!e.data.recipientUserId) return;
          const userId = e.data.recipientUserId;
          try {
            const v = await assistFor(e.data.contactId, { services, intel });
            await services.bus.publish('intelligence.assist_updated', {
              contactId: e.data.contactId,
              recipientUserId: userId,
              sentiment: v.sentimentTrend.at(-1) ?? 0,
              suggestions: v.suggestions.length,
              ...(v.intent ? { intent: v.intent.intent } : {}),
            });
          } catch (err) {
            intel.logFailure(`assist push failed [contact:${e.data.contactId}]`, err);
          }
        }),
      );
    }
    let closed = false;
    let started = false;
    // A failing sweep (store down) is alarmed and retried with back-off; it never ends the process.
    // The pass returns nothing: SupervisedLoop takes a returned number as the delay before the next
    // pass, and sweep()'s count of closed dialogues (usually 0) made it scan the store in a spin.
    const sweeps = new SupervisedLoop(
      'intelligence.dialogue_sweep',
      async () => {
        await bot.sweep();
      },
      {
        everyMs: SWEEP_EVERY_MS,
        bus: services.bus,
      },
    );
    return {
      routes: [intelligenceRoutes(intel, services), scorecardRoutes(scorecards, acoustic)],
      async listen() {
        if (closed || started) return;
        started = true;
        // Sweep first: a dialogue that went idle while the appliance was down gets its closing notice.
        sweeps.start({ now: true });
        await sweeps.idle();
        await bot.recover().catch((err) => intel.logFailure('bot recovery failed', err));
      },
      async close() {
        if (closed) return;
        closed = true;
        for (const off of offs.splice(0)) off();
        bot.close();
        await acoustic.close();
        await sweeps.close();
        await bot.idle();
      },
    };
  },
};
