import { join } from 'node:path';
import { DEFAULT_INBOUND_FLOW, EspeakTts, FlowService, flowRoutes, PocketsphinxAsr } from '../flows/index.ts';
import { createLogger } from '../logging/index.ts';
import type { BranchModule } from '../modules.ts';
import { EncryptedDocStore } from '../storage/index.ts';
import { ensureTlsMaterial } from '../system/index.ts';
import { callContacts, type VoiceContactsPort } from './contacts.ts';
import { requeueOnFreeze } from './freeze.ts';
import { WebRtcSessions } from './media/sessions.ts';
import { voiceRoutes } from './routes.ts';
import { dialoutRoutes } from './routes-dialout.ts';
import { holdRoutes } from './routes-holds.ts';
import { recordingRoutes } from './routes-recordings.ts';
import { transferRoutes } from './routes-transfer.ts';
import { voicemailRoutes } from './routes-voicemail.ts';
import { VoiceStack } from './setup.ts';
import { SIP_ACCOUNT_SEALED } from './sip/registrar.ts';
import { webrtcRoutes } from './webrtc-routes.ts';

const log = createLogger('voice');

/** Bound UDP SIP port of the running module (tests start it on port 0), for the self-test. */
let boundSipPort: number | undefined;
export function sipBoundPort(): number | undefined {
  return boundSipPort;
}

/**
 * Registers voice (and the flows store it runs). Inbound trunk calls run the
 * flow with id `inbound`; trunks are trusted by source address
 * (BRANCHLINE_SIP_TRUNKS), dial-out is limited to BRANCHLINE_DIALOUT_PREFIXES.
 * A call the IVR enqueues becomes a voice contact in conversations, so routing
 * offers it like any other; the accepting agent's SIP phone is rung.
 */
export const voiceModule: BranchModule = {
  name: 'voice',
  async init(ctx) {
    const { crypto, bus, identity } = ctx.services;
    // Queues and calendars a flow names are routing's (checked on save; the console picks them by name).
    const catalog = () => {
      const routing = ctx.services.routing;
      if (!routing) return undefined;
      const c = routing.config();
      return { queues: new Set(c.queues.map((q) => q.id)), calendars: new Set(c.calendars.map((k) => k.id)) };
    };
    const flows = new FlowService(await ctx.openStore('flows'), { bus, catalog });
    ctx.provide('flows', flows);
    // First start: trunk calls get the default flow (hours → queue, or announcement → voicemail).
    if (!(await flows.find('inbound'))) {
      await flows.save(DEFAULT_INBOUND_FLOW, { userId: 'system' }, { seed: true });
      log.info('seeded the default inbound flow');
    }
    const accountsStore = new EncryptedDocStore(await ctx.openStore('sip'), {
      crypto,
      fields: [...SIP_ACCOUNT_SEALED],
    });
    const conversations = ctx.services.conversations as VoiceContactsPort | undefined;
    let stack: VoiceStack | undefined;
    const glue = conversations
      ? callContacts(() => voiceOf(stack), {
          contacts: conversations,
          bus,
          logger: log,
        })
      : undefined;
    if (!glue) log.info('contacts integration off: no conversations service; queued calls are not routed');
    stack = new VoiceStack({
      accountsStore,
      recordingsStore: await ctx.openStore('recordings'),
      crypto,
      bus,
      logger: log,
      dataDir: ctx.config.dataDir,
      bind: ctx.config.bind,
      voice: {
        trustedTrunks: ctx.config.sipTrunks.flatMap((t) => [...t.addresses]),
        allowedPrefixes: [...ctx.config.dialoutPrefixes],
        realm: 'branchline',
        inboundFlow: () => flows.find('inbound'),
        noiseSuppression: ctx.config.noiseSuppression,
        sdesOverPlain: ctx.config.sdesOverPlain,
        srtpAlarmThreshold: ctx.config.srtpAlarmThreshold,
      },
      tts: new EspeakTts(join(ctx.config.dataDir, 'prompts')),
      asr: new PocketsphinxAsr(),
      identifyCaller: async (phone) =>
        (await ctx.services.customers.findByPhone(phone, { userId: 'system' }))?.id,
      userExists: (id) =>
        identity.getUser(id).then(
          () => true,
          () => false,
        ),
      ...(glue ? { openContact: glue.open } : {}),
      // Deleting a phone its agent or an IVR transfer still uses is refused, naming them.
      usage: {
        userName: (id) =>
          identity.getUser(id).then(
            (u) => u.displayName || u.username,
            () => undefined,
          ),
        flows,
      },
      // An `hours` node follows routing's calendar, like every other channel.
      // A calendar picked on the node is followed instead (an unknown one fails the IVR, logged).
      runOptions: () => ({
        isOpen: (_queue, calendar) => {
          const routing = ctx.services.routing;
          if (!routing) return true;
          return calendar ? routing.isOpen(calendar) : routing.isOpenNow();
        },
      }),
      // Exports are signed with the audit key; a hold on a contact names the contact's customer.
      exportSigner: () => ctx.services.auditSigner,
      ...(conversations
        ? { contactOwner: async (id: string) => (await conversations.getContact(id)).customerId }
        : {}),
      // The contact id is routing's task id; a task already offered or gone is announced generically.
      queuePosition: (contactId) => {
        try {
          return ctx.services.routing?.position(contactId);
        } catch {
          return undefined;
        }
      },
    });
    ctx.provide('voice', stack.service);
    ctx.provide('recordings', stack.recordings);
    const live = stack;
    // Browser legs (agent softphones, the widget's "call us"): host candidates on loopback
    // and the bind address, so LAN browsers reach the media worker.
    const webrtc = new WebRtcSessions({
      worker: live.worker,
      voice: live.service,
      bus,
      logger: log,
      hosts: [...new Set(['127.0.0.1', ctx.config.bind])].filter((h) => h !== '0.0.0.0'),
      portRange: [40000, 40999],
      ...(glue ? { mayAttach: glue.mayAttach } : {}),
    });
    // A callback the customer asked for (routing keeps the number in memory only):
    // when an agent accepts its offer, dial the customer from that agent's phone.
    const offCallbacks = bus.subscribe('routing.offer_accepted', async (e) => {
      const routing = ctx.services.routing;
      let phone: string | undefined;
      try {
        phone = routing?.task(e.data.taskId).callbackPhone;
      } catch {
        return; // task already gone
      }
      if (!phone) return;
      try {
        await live.dialout.dial(e.data.agentId, phone);
      } catch (err) {
        log.warn(`callback dial failed [taskId:${e.data.taskId}, agentId:${e.data.agentId}]`, { err });
      }
    });
    const offFreeze = requeueOnFreeze(() => live.service, { bus, logger: log });
    // A queued call's recording learns its queue (→ retention class), contact and customer.
    const link = async (callId: string, contactId: string, queue?: string) => {
      const customerId = contactId
        ? await conversations?.getContact(contactId).then(
            (c) => c.customerId,
            () => undefined,
          )
        : undefined;
      await live
        .linkRecording(callId, {
          ...(queue ? { queue } : {}),
          ...(contactId ? { contactId } : {}),
          ...(customerId ? { customerId } : {}),
        })
        .catch((err: unknown) => log.warn(`recording not linked [callId:${callId}]`, { err }));
    };
    const offQueued = bus.subscribe('call.queued', (e) =>
      link(e.data.callId, e.data.contactId, e.data.queue),
    );
    const offVoicemail = bus.subscribe('call.voicemail_left', (e) => link(e.data.callId, e.data.contactId));
    // A customer whose data (or a recording or contact of theirs) is under legal hold is not erased.
    const offErasure = ctx.services.customers.addErasureGuard(async (customerId) =>
      (await live.holds.blockingErasure(customerId)).map((h) => ({ holdId: h.id, reason: h.reason })),
    );
    return {
      routes: [
        flowRoutes(flows),
        voiceRoutes(live),
        dialoutRoutes(live, webrtc),
        transferRoutes(live.service),
        recordingRoutes(live, (r) => ctx.recordRead(r)),
        holdRoutes(live, (r) => ctx.recordRead(r)),
        ...(conversations
          ? [voicemailRoutes(live, { contacts: conversations, recordRead: (r) => ctx.recordRead(r) })]
          : []),
        webrtcRoutes(webrtc),
      ],
      async listen() {
        const { bind, sipPort, sipTlsPort, dataDir } = ctx.config;
        const hosts = /^127\.|^localhost$|^::1$|^0\.0\.0\.0$/.test(bind) ? [] : [bind];
        const tls = await ensureTlsMaterial(dataDir, { hosts });
        const at = await live.listen(sipPort, bind, {
          // An ephemeral SIP port (tests) makes the TLS port ephemeral too, so parallel appliances never collide.
          tls: { port: sipPort === 0 ? 0 : sipTlsPort, key: tls.key, cert: tls.cert, ca: tls.ca },
        });
        live.retention.start();
        boundSipPort = at.port;
        log.info(
          `sip listening [udp:${at.host}:${at.port}] [tcp:${at.tcp?.port}] [tls:${at.tls?.port ?? 'off'}] [media-worker:${live.worker.pid}]`,
        );
      },
      async close() {
        offCallbacks();
        offFreeze();
        offQueued();
        offVoicemail();
        offErasure();
        glue?.close();
        await webrtc.close();
        await live.close();
        boundSipPort = undefined;
      },
    };
  },
};

function voiceOf(stack: VoiceStack | undefined) {
  if (!stack) throw new Error('voice not initialised');
  return stack.service;
}
