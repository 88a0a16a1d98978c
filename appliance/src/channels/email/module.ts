import { createLogger } from '../../logging/index.ts';
import type { BranchModule } from '../../modules.ts';
import { EncryptedDocStore } from '../../storage/index.ts';
import { ensureTlsMaterial } from '../../system/index.ts';
import { conversationsOf } from '../wechat/index.ts';
import type { EmailAlarm } from './alarms.ts';
import { ImapPoller } from './imap.ts';
import { ImapCursor } from './imap-cursor.ts';
import { createEmailSender } from './outbound.ts';
import { mailPolicyOf } from './screen.ts';
import { SmtpInbound } from './smtp.ts';
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
    const store = new EncryptedDocStore(await ctx.openStore('channel-email'), {
      crypto: ctx.services.crypto,
      fields: ['subject', 'to'],
    });
    const threads = new ThreadIndex(store);
    const sender = createEmailSender({
      relayUrl: config.smtpRelayUrl,
      from: config.mailFrom,
      threads,
      store,
    });
    conversations.registerSender(sender);
    let smtp: SmtpInbound | undefined;
    let poller: ImapPoller | undefined;
    const policy = mailPolicyOf(config);
    // system.alarm_raised is audited like every event: each refusal and each quarantined file is on the trail.
    const onAlarm = (a: EmailAlarm) =>
      ctx.services.bus.publish('system.alarm_raised', a, { actor: 'system' });
    return {
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
        if (config.imap && !poller) {
          poller = new ImapPoller({
            imap: config.imap,
            threads,
            ingest: (msg) => conversations.ingest(msg),
            cursor: new ImapCursor(store, config.imap),
            maxBytes: config.smtpMaxBytes,
            policy,
            onAlarm,
          });
          poller.start();
          runningPoller = poller;
        }
      },
      async close() {
        await poller?.close();
        if (runningPoller === poller) runningPoller = undefined;
        await smtp?.close();
        sender.close();
        boundPort = undefined;
      },
    };
  },
};
