import path from 'node:path';
import type { WidgetLook } from '../../contracts/index.ts';
import { CHAT_ATTACHMENT_POLICY, type ContactState } from '../../conversations/index.ts';
import type { EventType } from '../../events/index.ts';
import type { BranchModule } from '../../modules.ts';
import { WebchatHub } from './hub.ts';
import { WebchatLog } from './log-store.ts';
import { widgetFetch } from './public.ts';
import { webchatRoutes } from './routes.ts';
import { originAllowed, settingsOf, type WebchatSettings } from './settings.ts';
import { WidgetSockets } from './socket.ts';
import type { OpeningHoursSource } from './types.ts';
import { Uploads } from './uploads.ts';

const STATES: ContactState[] = ['queued', 'offered', 'active', 'wrap_up', 'closed', 'abandoned'];
/** Routing decisions that can move a waiting chat's place or estimate. */
const QUEUE_MOVES: EventType[] = [
  'routing.task_queued',
  'routing.task_relaxed',
  'routing.offer_created',
  'routing.offer_accepted',
  'routing.offer_rejected',
  'routing.offer_timed_out',
  'routing.offer_cancelled',
  'routing.task_completed',
  'routing.task_removed',
  'agent.state_changed',
];

/**
 * Web chat: the widget's WebSocket (`/widget/ws`), its files and uploads
 * (`/widget/*`), and the webchat ChannelSender. Needs `conversations`.
 */
export const webchatModule: BranchModule = {
  name: 'webchat',
  async init(ctx) {
    const { conversations, customers, bus, crypto } = ctx.services;
    if (!conversations) throw new Error('webchat needs the conversations module listed before it');
    const log = new WebchatLog(await ctx.openStore('webchat'));
    let cached: WebchatSettings | undefined;
    const settings = async () => (cached ??= settingsOf(await log.settings<object>()));
    // One calendar decides: routing's. Without routing the widget is always open (nothing would route it anyway).
    const isOpen = async () => {
      const routing = (ctx.services as Record<string, unknown>)['routing'] as OpeningHoursSource | undefined;
      return typeof routing?.isOpenNow === 'function' ? routing.isOpenNow() : true;
    };
    // The token never reaches storage: the visitor is known by its keyed hash.
    const vidOf = (token: string) => crypto.blindIndex('web_visitor', token);
    const uploads = new Uploads();
    // The look is the setup context's (saved by the wizard or the Channels page), read at each welcome,
    // so a page that embedded the widget long ago shows today's greeting.
    const look = () => {
      const setup = (ctx.services as { setup?: { view(): { widget: WidgetLook } } }).setup;
      return setup?.view().widget;
    };
    // The contact id is routing's task id; a contact routing does not hold (deferred, gone) has no place.
    const position = (contactId: string) => {
      try {
        const w = ctx.services.routing?.position(contactId);
        return w && { position: w.position, ewtSeconds: w.ewtSeconds };
      } catch {
        return undefined;
      }
    };
    const files = { maxBytes: CHAT_ATTACHMENT_POLICY.maxBytes, types: [...CHAT_ATTACHMENT_POLICY.types] };
    const hub = new WebchatHub(log, {
      conversations,
      customers,
      bus,
      uploads,
      isOpen,
      look,
      position,
      files,
    });
    const sockets = new WidgetSockets(hub, {
      vidOf,
      originOk: async (o) => originAllowed(await settings(), o),
    });
    const offSender = conversations.registerSender({
      channel: 'webchat',
      async send({ contact, message }) {
        const seq = await hub.deliver(contact.threadKey, message);
        return { externalId: `seq:${seq}` };
      },
    });
    const offBus = STATES.map((state) =>
      bus.subscribe(`contact.${state}`, async (e) => {
        if (e.data.channel !== 'webchat') return;
        const c = await conversations.getContact(e.data.contactId).catch(() => undefined);
        if (!c) return;
        hub.push(c.threadKey, { t: 'state', contactState: state });
        hub.contactState(c.id, c.threadKey, state);
      }),
    );
    // Coalesced: one burst of routing decisions is one recount.
    let recount: ReturnType<typeof setTimeout> | undefined;
    const offQueue = QUEUE_MOVES.map((type) =>
      bus.subscribe(type, () => {
        recount ??= setTimeout(() => {
          recount = undefined;
          hub.refreshQueue();
        }, 20);
      }),
    );
    const root = path.resolve(import.meta.dirname, '../../../../web/dist/widget');
    let closed = false;
    return {
      routes: [
        webchatRoutes({
          settings,
          async saveSettings(s, actor) {
            await log.putSettings(s);
            cached = s;
            await bus.publish('webchat.settings_changed', { fields: Object.keys(s) }, { actor });
          },
          async agentTyping(contactId, on) {
            const c = await conversations.getContact(contactId);
            if (c.channel === 'webchat') hub.push(c.threadKey, { t: 'typing', on });
          },
        }),
      ],
      upgrades: [
        { path: '/widget/ws', handle: (req, socket, head) => sockets.handleUpgrade(req, socket, head) },
      ],
      publicRoutes: [{ prefix: '/widget/', fetch: widgetFetch({ root, uploads, vidOf, settings }) }],
      async close() {
        if (closed) return;
        closed = true;
        offSender();
        for (const off of [...offBus, ...offQueue]) off();
        clearTimeout(recount);
        sockets.close();
        hub.close();
        uploads.close();
      },
    };
  },
};
