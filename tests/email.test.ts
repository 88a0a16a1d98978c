/**
 * Email channel over real SMTP on 127.0.0.1: nodemailer sends to the
 * appliance's SMTP server (ephemeral port); a local smtp-server plays the
 * outbound relay. Conversations is a recording fake that does NOT de-duplicate,
 * so the adapter's own Message-ID de-duplication is what is tested.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import {
  createEmailSender,
  EmailError,
  emailModule,
  smtpBoundPort,
  ThreadIndex,
} from '../appliance/src/channels/email/index.ts';
import { loadConfig } from '../appliance/src/config/index.ts';
import { InvalidStateError } from '../appliance/src/contracts/index.ts';
import type { ChannelSender, Contact, InboundMessage } from '../appliance/src/conversations/index.ts';
import { EventBus } from '../appliance/src/events/index.ts';
import type { ModuleContext, ModuleInstance } from '../appliance/src/modules.ts';
import {
  type CryptoFacade,
  type DocStore,
  MemoryDocStore,
  openCrypto,
  openPouchStore,
} from '../appliance/src/storage/index.ts';
import { tempDataDir } from './support/appliance.ts';

let dir: { dir: string; cleanup: () => Promise<void> };
let crypto: CryptoFacade;
let instance: ModuleInstance;
let port: number;
let relay: SMTPServer;
const relayed: Buffer[] = [];
const ingested: InboundMessage[] = [];
const senders: ChannelSender[] = [];
const stores: DocStore[] = [];
const MAX = 64 * 1024;

function ctxFor(config: ReturnType<typeof loadConfig>, withConversations = true): ModuleContext {
  const services = {
    config,
    bus: new EventBus(),
    crypto,
    ...(withConversations
      ? {
          conversations: {
            ingest: async (m: InboundMessage) => {
              ingested.push(m);
              return {
                customerId: 'c1',
                conversationId: 'v1',
                contactId: 'k1',
                messageId: `m${ingested.length}`,
                duplicate: false,
              };
            },
            registerSender: (s: ChannelSender) => void senders.push(s),
          },
        }
      : {}),
  };
  return {
    config,
    services: services as never,
    openStore: async (name) => {
      const s = await openPouchStore(join(dir.dir, 'db'), name);
      stores.push(s);
      return s;
    },
    provide: () => undefined,
    recordRead: async () => undefined,
  };
}

before(async () => {
  dir = await tempDataDir('bl-email-');
  crypto = await openCrypto(dir.dir);
  relay = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, _s, cb) {
      const parts: Buffer[] = [];
      stream.on('data', (d: Buffer) => parts.push(d));
      stream.on('end', () => {
        relayed.push(Buffer.concat(parts));
        cb();
      });
    },
  });
  await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
  const relayPort = (relay.server.address() as { port: number }).port;
  const config = loadConfig({
    BRANCHLINE_DATA_DIR: dir.dir,
    BRANCHLINE_SMTP_PORT: '0',
    BRANCHLINE_MAIL_DOMAINS: 'branch.example,desk@other.example',
    BRANCHLINE_MAIL_FROM: 'service@branch.example',
    BRANCHLINE_SMTP_RELAY_URL: `smtp://127.0.0.1:${relayPort}`,
    BRANCHLINE_SMTP_MAX_BYTES: String(MAX),
  });
  instance = await emailModule.init(ctxFor(config));
  await instance.listen?.();
  port = smtpBoundPort() as number;
});

after(async () => {
  await instance?.close?.();
  await new Promise<void>((r) => relay.close(() => r()));
  for (const s of stores) await s.close();
  crypto.close();
  await dir.cleanup();
});

const client = () => nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });

/** A raw SMTP dialogue: each step is written whole, then its final reply line awaited. */
async function dialogue(steps: string[]): Promise<string> {
  const sock = connect(port, '127.0.0.1');
  let out = '';
  sock.on('data', (d) => (out += d));
  const replies = () => (out.match(/^\d{3} /gm) ?? []).length;
  const waitFor = async (n: number) => {
    for (let i = 0; i < 500 && replies() < n; i++) await new Promise((r) => setTimeout(r, 10));
  };
  await waitFor(1);
  for (const [i, step] of steps.entries()) {
    sock.write(`${step}\r\n`);
    await waitFor(i + 2);
  }
  sock.end();
  return out;
}

test('mail sent over real SMTP is ingested with sender, subject, attachment and its Message-ID as thread root', async () => {
  const n = ingested.length;
  await client().sendMail({
    from: '"王小明" <xiaoming@customer.example>',
    to: 'service@branch.example',
    subject: '信用卡账单疑问',
    text: '您好，我的账单有一笔不认识的消费。',
    messageId: '<root-1@customer.example>',
    attachments: [
      { filename: 'bill.pdf', content: Buffer.from('%PDF-1.4 fake'), contentType: 'application/pdf' },
    ],
  });
  const m = ingested[n];
  assert.equal(ingested.length, n + 1);
  assert.equal(m?.channel, 'email');
  assert.deepEqual(m?.handles, [{ kind: 'email', value: 'xiaoming@customer.example', verified: false }]);
  assert.equal(m?.displayName, '王小明');
  assert.equal(m?.threadKey, '<root-1@customer.example>');
  assert.equal(m?.externalId, '<root-1@customer.example>');
  assert.equal(m?.text, '您好，我的账单有一笔不认识的消费。');
  assert.equal(m?.meta?.['subject'], '信用卡账单疑问');
  assert.equal(m?.attachments?.[0]?.name, 'bill.pdf');
  assert.equal(Buffer.from(m?.attachments?.[0]?.data ?? []).toString(), '%PDF-1.4 fake');
});

test('replies thread by References or In-Reply-To alone into the same thread key; a duplicate Message-ID is ingested once', async () => {
  const n = ingested.length;
  const t = client();
  await t.sendMail({
    from: 'a@customer.example',
    to: 'service@branch.example',
    subject: 'Q',
    text: 'first',
    messageId: '<t2-root@customer.example>',
  });
  await t.sendMail({
    from: 'a@customer.example',
    to: 'service@branch.example',
    subject: 'Re: Q',
    text: 'second',
    messageId: '<t2-b@customer.example>',
    inReplyTo: '<t2-root@customer.example>',
    references: ['<t2-root@customer.example>'],
  });
  await t.sendMail({
    from: 'a@customer.example',
    to: 'desk@other.example',
    subject: 'Re: Q',
    text: 'third',
    messageId: '<t2-c@customer.example>',
    inReplyTo: '<t2-b@customer.example>',
  });
  await t.sendMail({
    from: 'a@customer.example',
    to: 'service@branch.example',
    subject: 'Re: Q',
    text: 'third',
    messageId: '<t2-c@customer.example>',
    inReplyTo: '<t2-b@customer.example>',
  });
  const got = ingested.slice(n);
  assert.deepEqual(
    got.map((m) => m.text),
    ['first', 'second', 'third'],
  );
  assert.ok(got.every((m) => m.threadKey === '<t2-root@customer.example>'));
});

test('recipients outside the configured domains are refused with 550 (no open relay)', async () => {
  await assert.rejects(
    client().sendMail({
      from: 'a@customer.example',
      to: 'victim@elsewhere.example',
      subject: 'x',
      text: 'x',
    }),
    (e: { responseCode?: number }) => e.responseCode === 550,
  );
  await assert.rejects(
    client().sendMail({ from: 'a@customer.example', to: 'someone@other.example', subject: 'x', text: 'x' }),
    (e: { responseCode?: number }) => e.responseCode === 550,
  );
});

test('SIZE is advertised and an over-size message is refused with 552', async () => {
  const out = await dialogue([
    'EHLO test.example',
    'MAIL FROM:<big@customer.example>',
    'RCPT TO:<service@branch.example>',
    'DATA',
    ['Subject: big', '', ...Array.from({ length: 1200 }, () => 'x'.repeat(70)), '.'].join('\r\n'),
  ]);
  assert.match(out, new RegExp(`^250[- ]SIZE ${MAX}\r$`, 'm'));
  assert.match(out, /^552 /m);
});

test('broken MIME never crashes the server: the message is kept and the next mail still arrives', async () => {
  const n = ingested.length;
  const broken = [
    'From: odd@customer.example',
    'To: service@branch.example',
    'Message-ID: <broken-1@customer.example>',
    'Content-Type: multipart/mixed; boundary="never-closed"',
    'Content-Transfer-Encoding: base64',
    '',
    '--never-closed',
    'Content-Type: text/plain; charset=no-such-charset',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    'half a body =ZZ =',
    '--never-closed',
    'Content-Type: application/octet-stream; name="x.bin"',
    'Content-Transfer-Encoding: base64',
    '',
    '!!!not base64!!!',
  ].join('\r\n');
  await client().sendMail({
    envelope: { from: 'odd@customer.example', to: ['service@branch.example'] },
    raw: broken,
  });
  await client().sendMail({
    from: 'ok@customer.example',
    to: 'service@branch.example',
    subject: 'after',
    text: 'still alive',
  });
  const got = ingested.slice(n);
  assert.equal(got.length, 2);
  assert.equal(got[0]?.externalId, '<broken-1@customer.example>');
  assert.match(got[0]?.text ?? '', /half a body/);
  assert.equal(got[1]?.text, 'still alive');
});

test('an agent reply goes through the relay with In-Reply-To, References, "Re:" subject and our own Message-ID', async () => {
  const sender = senders[0] as ChannelSender;
  const contact = { threadKey: '<t2-root@customer.example>' } as Contact;
  const r = await sender.send({
    contact,
    message: { id: 'msg-out-1', text: '您好，已为您核查。' } as never,
    to: [{ kind: 'email', value: 'a@customer.example' }],
  });
  assert.match(r.externalId ?? '', /^<[0-9a-f-]+@branch\.example>$/);
  const mail = await simpleParser(relayed.at(-1) as Buffer);
  assert.equal(mail.subject, 'Re: Q');
  assert.equal(mail.inReplyTo, '<t2-c@customer.example>');
  assert.deepEqual(mail.references, [
    '<t2-root@customer.example>',
    '<t2-b@customer.example>',
    '<t2-c@customer.example>',
  ]);
  assert.equal(mail.messageId, r.externalId);
  assert.equal(mail.text?.trim(), '您好，已为您核查。');
  // The customer answers our reply: it lands in the same thread.
  const n = ingested.length;
  await client().sendMail({
    from: 'a@customer.example',
    to: 'service@branch.example',
    subject: 'Re: Q',
    text: 'thanks',
    inReplyTo: r.externalId as string,
  });
  assert.equal(ingested[n]?.threadKey, '<t2-root@customer.example>');
});

test('without a relay a reply fails with EMAIL_RELAY_NOT_CONFIGURED and is recorded as failed', async () => {
  const store = new MemoryDocStore('mail');
  const sender = createEmailSender({
    relayUrl: undefined,
    from: 'service@branch.example',
    threads: new ThreadIndex(store),
    store,
  });
  await assert.rejects(
    sender.send({
      contact: { threadKey: '<x@y>' } as Contact,
      message: { id: 'm9', text: 'hi' } as never,
      to: [{ kind: 'email', value: 'a@b.example' }],
    }),
    (e: unknown) => e instanceof EmailError && e.code === 'EMAIL_RELAY_NOT_CONFIGURED',
  );
  const rec = await store.get<{ state: string; code: string }>('out:m9');
  assert.equal(rec?.state, 'failed');
  assert.equal(rec?.code, 'EMAIL_RELAY_NOT_CONFIGURED');
  await store.close();
});

test('the email module refuses to start without the conversations service, naming it', async () => {
  const config = loadConfig({ BRANCHLINE_DATA_DIR: dir.dir });
  await assert.rejects(
    emailModule.init(ctxFor(config, false)),
    (e: unknown) => e instanceof InvalidStateError && /conversations/.test((e as Error).message),
  );
});
