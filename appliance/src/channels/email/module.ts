import type { ImapConfig } from '../../config/index.ts';
import { createLogger } from '../../logging/index.ts';
import type { BranchModule } from '../../modules.ts';
import { EncryptedDocStore } from '../../storage/index.ts';
import { ensureTlsMaterial } from '../../system/index.ts';
import { conversationsOf } from '../wechat/index.ts';
import type { EmailAlarm } from './alarms.ts';
import { ImapPoller } from './imap.ts';
import { ImapCursor } from './imap-cursor.ts';
import { createEmailSender } from './outbound.ts';
import { emailRoutes } from './routes.ts';
import { mailPolicyOf } from './screen.ts';
import { effective, mergeSettings, readSettings, SECRET_FIELDS, SETTINGS_ID, viewOf } from './settings.ts';
import { SmtpInbound } from './smtp.ts';
import { sendTestMail } from './test-mail.ts';
import { ThreadIndex } from './threads.ts';

const log = createLogger('channels.email');

/** Bound SMTP port of the running module (tests start it on port 0). */
let boundPort: number | undefined;
export function smtpBoundPort(): number | undefined {
  return boundPort;
}

/** The running module's IMAP poller, if BRANCHLINE_IMAP_URL is set (for health and tests). */
let runningPoller: ImapPoller | undefined;
export function imapPoller(): ImapPoller | undefined {
  return runningPoller;
}

/**
 * Email channel: inbound SMTP on config.smtpPort (listen()), optional IMAP
 * polling (BRANCHLINE_IMAP_URL) into the same pipeline, replies through
 * BRANCHLINE_SMTP_RELAY_URL. Thread map and outbound log in the `channel-email` store.
 */
export const emailModule: BranchModule = {
  name: 'channels.email',
  async init(ctx) {
    const conversations = conversationsOf(ctx, 'channels.email');
    const { config } = ctx;
    const raw = await ctx.openStore('channel-email');
    const store = new EncryptedDocStore(raw, { crypto: ctx.services.crypto, fields: ['subject', 'to'] });
    // Relay and IMAP passwords saved on the Channels page: sealed under the 'secret' key class.
    const secrets = new EncryptedDocStore(raw, {
      crypto: ctx.services.crypto,
      fields: SECRET_FIELDS,
      keyIdFor: () => 'secret',
    });
    let { doc, rev } = await readSettings(secrets);
    const threads = new ThreadIndex(store);
    const initial = effective(config, doc);
    const sender = createEmailSender({
      relayUrl: initial.relay,
      from: initial.mailFrom,
      threads,
      store,
    });
    conversations.registerSender(sender);
    let smtp: SmtpInbound | undefined;
    let poller: ImapPoller | undefined;
    let listening = false;
    const policy = mailPolicyOf(config);
    // system.alarm_raised is audited like every event: each refusal and each quarantined file is on the trail.
    const onAlarm = (a: EmailAlarm) =>
      ctx.services.bus.publish('system.alarm_raised', a, { actor: 'system' });
    const startPoller = (imap: ImapConfig) => {
      poller = new ImapPoller({
        imap,
        threads,
        ingest: (msg) => conversations.ingest(msg),
        cursor: new ImapCursor(store, imap),
        maxBytes: config.smtpMaxBytes,
        policy,
        onAlarm,
      });
      poller.start();
      runningPoller = poller;
    };
    /** Saved settings take effect at once: replies use the new relay, the mailbox poller restarts. */
    const apply = async () => {
      const now = effective(config, doc);
      sender.reconfigure(now.relay, now.mailFrom);
      if (!listening || config.imap) return;
      await poller?.close();
      if (runningPoller === poller) runningPoller = undefined;
      poller = undefined;
      if (now.imap) startPoller(now.imap);
    };
    const routes = emailRoutes({
      view: async () => viewOf(config, doc, boundPort),
      async save(input, actor) {
        const next = mergeSettings(doc, input);
        const r = await secrets.put({ ...next, _id: SETTINGS_ID, ...(rev ? { _rev: rev } : {}) });
        doc = next;
        rev = r.rev;
        await apply();
        await ctx.services.bus.publish(
          'channel.configured',
          { channel: 'email', fields: Object.keys(input).sort() },
          { actor: actor.userId, ...(actor.source ? { source: actor.source } : {}) },
        );
        return viewOf(config, doc, boundPort);
      },
      async testMail(to, actor) {
        const now = effective(config, doc);
        const audit = (data: { ok: boolean; code?: string }) =>
          ctx.services.bus.publish('email.test_mail_sent', data, {
            actor: actor.userId,
            ...(actor.source ? { source: actor.source } : {}),
          });
        try {
          const result = await sendTestMail(now.relay, { from: now.mailFrom, to });
          await audit({ ok: true });
          return result;
        } catch (err) {
          await audit({ ok: false, code: (err as { code?: string }).code ?? 'EMAIL_RELAY_FAILED' });
          throw err;
        }
      },
    });
    return {
      routes: [routes],
      async listen() {
        const tls = config.smtpStartTls ? await ensureTlsMaterial(config.dataDir, { hosts: [] }) : undefined;
        smtp = new SmtpInbound({
          host: config.bind,
          port: config.smtpPort,
          maxBytes: config.smtpMaxBytes,
          domains: config.mailDomains,
          threads,
          ingest: (msg) => conversations.ingest(msg),
          policy,
          onAlarm,
          ...(tls ? { tls: { key: tls.key, cert: tls.cert } } : {}),
        });
        boundPort = await smtp.listen();
        log.info(`smtp listening [port:${boundPort}]`);
        listening = true;
        const { imap } = effective(config, doc);
        if (imap && !poller) startPoller(imap);
      },
      async close() {
        listening = false;
        await poller?.close();
        if (runningPoller === poller) runningPoller = undefined;
        await smtp?.close();
        sender.close();
        boundPort = undefined;
      },
    };
  },
};
