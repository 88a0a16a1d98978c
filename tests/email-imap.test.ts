/**
 * IMAP polling against a real IMAP server: Debian's dovecot, started by the
 * test on a loopback port with its own config (tests/support/dovecot.ts). Mail
 * is put into the mailbox with IMAP APPEND. Conversations is a recording fake
 * that does NOT de-duplicate, so the adapter's own de-duplication is what is tested.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import {
  emailModule,
  ImapCursor,
  ImapPoller,
  imapPoller,
  mailPolicyOf,
  smtpBoundPort,
  ThreadIndex,
} from '../appliance/src/channels/email/index.ts';
import { type Config, loadConfig } from '../appliance/src/config/index.ts';
import type { ChannelSender, InboundMessage } from '../appliance/src/conversations/index.ts';
import { type DomainEvent, EventBus } from '../appliance/src/events/index.ts';
import { setLogSink } from '../appliance/src/logging/index.ts';
import type { ModuleContext, ModuleInstance } from '../appliance/src/modules.ts';
import {
  type CryptoFacade,
  type DocStore,
  openCrypto,
  openPouchStore,
} from '../appliance/src/storage/index.ts';
import { tempDataDir } from './support/appliance.ts';
import { type Dovecot, startDovecot } from './support/dovecot.ts';
import { freePort } from './support/ports.ts';
import { until } from './support/until.ts';

let dovecot: Dovecot;
let dir: { dir: string; cleanup: () => Promise<void> };
let crypto: CryptoFacade;
let appender: ImapFlow;
const ingested: InboundMessage[] = [];
const alarms: Array<DomainEvent<'system.alarm_raised'>['data']> = [];
const logs: string[] = [];
const stores: DocStore[] = [];
const bus = new EventBus();

function imapEnv(extra: Record<string, string> = {}): Config {
  return loadConfig({
    BRANCHLINE_DATA_DIR: dir.dir,
    BRANCHLINE_SMTP_PORT: '0',
    BRANCHLINE_MAIL_FROM: 'service@branch.example',
    BRANCHLINE_IMAP_URL: `imap://${dovecot.user}@127.0.0.1:${dovecot.port}/INBOX`,
    BRANCHLINE_IMAP_PASSWORD: dovecot.password,
    BRANCHLINE_IMAP_ALLOW_PLAIN: 'on',
    BRANCHLINE_IMAP_POLL_SECONDS: '1',
    ...extra,
  });
}

function ctxFor(config: Config): ModuleContext {
  const services = {
    config,
    bus,
    crypto,
    conversations: {
      ingest: async (m: InboundMessage) => {
        ingested.push(m);
        return { customerId: 'c1', conversationId: 'v1', contactId: 'k1', messageId: 'm', duplicate: false };
      },
      registerSender: (_s: ChannelSender) => undefined,
    },
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

/** Starts the email module (SMTP on port 0 + IMAP poller); close() also closes its store. */
async function startModule(): Promise<{ instance: ModuleInstance; close: () => Promise<void> }> {
  const instance = await emailModule.init(ctxFor(imapEnv()));
  await instance.listen?.();
  return {
    instance,
    close: async () => {
      await instance.close?.();
      for (const s of stores.splice(0)) await s.close();
    },
  };
}

function mail(o: { id: string; subject: string; text: string; inReplyTo?: string; from?: string }): string {
  return [
    `From: ${o.from ?? 'Alice <alice@customer.example>'}`,
    'To: service@branch.example',
    `Subject: ${o.subject}`,
    `Message-ID: ${o.id}`,
    ...(o.inReplyTo ? [`In-Reply-To: ${o.inReplyTo}`, `References: ${o.inReplyTo}`] : []),
    'Date: Mon, 02 Jun 2025 10:00:00 +0800',
    'Content-Type: text/plain; charset=utf-8',
    '',
    o.text,
    '',
  ].join('\r\n');
}

async function append(raw: string, mailbox = 'INBOX'): Promise<number> {
  const r = await appender.append(mailbox, raw);
  const uid = r === false ? undefined : r.uid;
  assert.ok(uid, 'dovecot returns the APPENDUID');
  return uid;
}

async function flagsOf(uid: number, mailbox = 'INBOX'): Promise<Set<string>> {
  const lock = await appender.getMailboxLock(mailbox);
  try {
    const m = await appender.fetchOne(String(uid), { flags: true }, { uid: true });
    return m === false ? new Set() : (m.flags ?? new Set());
  } finally {
    lock.release();
  }
}

const ids = (from: number) => ingested.slice(from).map((m) => m.externalId);

before(async () => {
  setLogSink((line) => void logs.push(line));
  dovecot = await startDovecot();
  dir = await tempDataDir('bl-email-imap-');
  crypto = await openCrypto(dir.dir);
  bus.subscribe('system.alarm_raised', (e) => void alarms.push(e.data));
  appender = new ImapFlow({
    host: '127.0.0.1',
    port: dovecot.port,
    secure: false,
    doSTARTTLS: false,
    auth: { user: dovecot.user, pass: dovecot.password },
    logger: false,
    disableAutoIdle: true,
  });
  appender.on('error', () => undefined);
  await appender.connect();
});

after(async () => {
  await appender?.logout().catch(() => appender.close());
  for (const s of stores.splice(0)) await s.close();
  crypto?.close();
  await dovecot?.stop();
  await dir?.cleanup();
  setLogSink((line) => void process.stderr.write(`${line}\n`));
});

test('mails appended to the IMAP mailbox become inbound email messages threaded by In-Reply-To, are marked seen, and the same mail over SMTP is not stored again', async () => {
  const n = ingested.length;
  const m = await startModule();
  try {
    assert.ok(imapPoller(), 'the module starts a poller when BRANCHLINE_IMAP_URL is set');
    const rootUid = await append(
      mail({ id: '<root-1@customer.example>', subject: '开户咨询', text: '请问开户需要什么材料？' }),
    );
    await append(
      mail({
        id: '<reply-1@customer.example>',
        subject: 'Re: 开户咨询',
        text: 'And one more question.',
        inReplyTo: '<root-1@customer.example>',
      }),
    );
    await until('two IMAP mails ingested', () => (ingested.length - n >= 2 ? true : undefined), {
      timeoutMs: 15_000,
    });
    const [root, reply] = ingested.slice(n);
    assert.equal(root?.channel, 'email');
    assert.equal(root?.externalId, '<root-1@customer.example>');
    assert.equal(root?.text, '请问开户需要什么材料？');
    assert.equal(root?.meta?.['subject'], '开户咨询');
    assert.deepEqual(root?.handles, [{ kind: 'email', value: 'alice@customer.example', verified: false }]);
    assert.equal(reply?.externalId, '<reply-1@customer.example>');
    assert.equal(reply?.threadKey, root?.threadKey, 'the reply joins the root thread');
    assert.equal(reply?.meta?.['inReplyTo'], '<root-1@customer.example>');
    await until('the imported mail to be marked \\Seen', async () =>
      (await flagsOf(rootUid)).has('\\Seen') ? true : undefined,
    );

    // The same mail delivered again over SMTP, and appended again to the mailbox: one message.
    const smtp = nodemailer.createTransport({
      host: '127.0.0.1',
      port: smtpBoundPort() as number,
      secure: false,
      ignoreTLS: true,
    });
    await smtp.sendMail({
      envelope: { from: 'alice@customer.example', to: ['service@branch.example'] },
      raw: mail({ id: '<root-1@customer.example>', subject: '开户咨询', text: '请问开户需要什么材料？' }),
    });
    smtp.close();
    const againUid = await append(
      mail({ id: '<reply-1@customer.example>', subject: 'Re: 开户咨询', text: 'And one more question.' }),
    );
    const marker = await append(
      mail({ id: '<after-dup@customer.example>', subject: 'later', text: 'later' }),
    );
    await until('the mail after the duplicates', () =>
      ids(n).includes('<after-dup@customer.example>') ? true : undefined,
    );
    assert.deepEqual(ids(n), [
      '<root-1@customer.example>',
      '<reply-1@customer.example>',
      '<after-dup@customer.example>',
    ]);
    assert.ok(againUid < marker);
    assert.ok((await flagsOf(againUid)).has('\\Seen'), 'a duplicate is finished with, not retried');
  } finally {
    await m.close();
  }
  assert.equal(imapPoller(), undefined, 'close() stops the poller');
});

test('restarting the poller imports nothing twice and still picks up mail that arrived while it was down', async () => {
  const first = await startModule();
  const beforeUid = await append(
    mail({ id: '<before-restart@customer.example>', subject: 'a', text: 'before restart' }),
  );
  await until('the mail before the restart', () =>
    ingested.some((m) => m.externalId === '<before-restart@customer.example>') ? true : undefined,
  );
  await first.close();
  await first.instance.close?.(); // idempotent
  const n = ingested.length;
  // Forget \Seen, so only the durable cursor (not the flags) can keep old mail from re-import.
  const lock = await appender.getMailboxLock('INBOX');
  try {
    await appender.messageFlagsRemove('1:*', ['\\Seen']);
  } finally {
    lock.release();
  }
  await append(mail({ id: '<while-down@customer.example>', subject: 'b', text: 'while down' }));
  const second = await startModule();
  try {
    await until('the mail that arrived while down', () =>
      ids(n).includes('<while-down@customer.example>') ? true : undefined,
    );
    await append(mail({ id: '<after-restart@customer.example>', subject: 'c', text: 'after restart' }));
    await until('the mail after the restart', () =>
      ids(n).includes('<after-restart@customer.example>') ? true : undefined,
    );
    assert.deepEqual(ids(n), ['<while-down@customer.example>', '<after-restart@customer.example>']);
    // A re-fetched duplicate would be marked \Seen again: still unseen means the cursor skipped it.
    assert.equal((await flagsOf(beforeUid)).has('\\Seen'), false, 'old mail was not fetched again');
    const all = ingested.map((m) => m.externalId);
    assert.equal(new Set(all).size, all.length, 'no Message-ID was ingested twice');
    // The counter moves just after ingest (the thread record is written in between).
    await until('the poller to count both imports', () =>
      imapPoller()?.status().imported === 2 ? true : undefined,
    );
  } finally {
    await second.close();
  }
});

test('a mail the pipeline cannot use is recorded as skipped for its UID, stays unseen, and the next mail is still imported', async () => {
  const store = await openPouchStore(join(dir.dir, 'db'), 'imap-skip');
  stores.push(store);
  // A folder of its own, so this poller (with a fresh cursor) sees only these two mails.
  await appender.mailboxCreate('Broken');
  const config = imapEnv({ BRANCHLINE_IMAP_URL: `imap://${dovecot.user}@127.0.0.1:${dovecot.port}/Broken` });
  const imap = config.imap;
  assert.ok(imap);
  assert.equal(imap.mailbox, 'Broken');
  const cursor = new ImapCursor(store, imap);
  const n = ingested.length;
  const a = alarms.length;
  const brokenUid = await append(
    'this is not a mail\r\n\r\n=?x?Q?broken \u0001 =ZZ\r\n--boundary-never-opened--\r\n',
    'Broken',
  );
  await append(
    mail({ id: '<after-broken@customer.example>', subject: 'ok', text: 'still imported' }),
    'Broken',
  );
  const poller = new ImapPoller({
    imap,
    threads: new ThreadIndex(store),
    ingest: async (m) => void ingested.push(m),
    cursor,
    maxBytes: config.smtpMaxBytes,
    onAlarm: (al) => void alarms.push(al),
  });
  poller.start();
  try {
    await until('the mail after the broken one', () =>
      ids(n).includes('<after-broken@customer.example>') ? true : undefined,
    );
    const skipped = await cursor.skipped();
    assert.equal(skipped.length, 1);
    assert.equal(skipped[0]?.uid, brokenUid);
    assert.match(skipped[0]?.reason ?? '', /no sender address/);
    assert.ok(
      alarms
        .slice(a)
        .some((x) => x.alarm === 'email.imap_message_skipped' && x.detail?.includes(`UID ${brokenUid}`)),
    );
    assert.ok(logs.some((l) => l.includes(`UID ${brokenUid} skipped`)));
    assert.equal(
      (await flagsOf(brokenUid, 'Broken')).has('\\Seen'),
      false,
      'a skipped mail is left for a person to see',
    );
    assert.deepEqual(ids(n), ['<after-broken@customer.example>'], 'nothing of the broken mail was ingested');
    assert.equal(poller.status().skipped, 1);
  } finally {
    await poller.close();
  }
});

test('a wrong password is reported clearly (log + one alarm), retried with back-off, never logged, and close() still works', async () => {
  const store = await openPouchStore(join(dir.dir, 'db'), 'imap-badpass');
  stores.push(store);
  const config = imapEnv({ BRANCHLINE_IMAP_PASSWORD: 'wrong-Secret-xyz' });
  const imap = config.imap;
  assert.ok(imap);
  const a = alarms.length;
  const l = logs.length;
  const poller = new ImapPoller({
    imap,
    threads: new ThreadIndex(store),
    ingest: async () => assert.fail('nothing may be ingested'),
    cursor: new ImapCursor(store, imap),
    maxBytes: config.smtpMaxBytes,
    onAlarm: (al) => void alarms.push(al),
    backoff: { initialMs: 100, maxMs: 300 },
  });
  poller.start();
  poller.start(); // a second start is a no-op
  try {
    await until('two failed attempts', () => (poller.status().failures >= 2 ? true : undefined), {
      timeoutMs: 20_000,
    });
    const s = poller.status();
    assert.equal(s.state === 'backing-off' || s.state === 'connecting', true);
    assert.match(s.lastError ?? '', /authentication failed/);
    const unreachable = alarms.slice(a).filter((x) => x.alarm === 'email.imap_unreachable');
    assert.equal(unreachable.length, 1, 'one alarm per outage, not per retry');
    assert.match(unreachable[0]?.detail ?? '', /agent@127\.0\.0\.1:\d+\/INBOX: authentication failed/);
    const mine = logs.slice(l).join('\n');
    assert.match(mine, /imap polling failed .*authentication failed/);
    assert.ok(!mine.includes('wrong-Secret-xyz'), 'the password never reaches the log');
    assert.ok(!JSON.stringify(config).includes('wrong-Secret-xyz'), 'nor a serialised config');
  } finally {
    await poller.close();
    await poller.close();
  }
  assert.equal(poller.status().state, 'closed');
});

test('with BRANCHLINE_IMAP_MOVE_TO imported mail moves to that folder, and a mail whose ingest failed once is retried, not skipped', async () => {
  const store = await openPouchStore(join(dir.dir, 'db'), 'imap-move');
  stores.push(store);
  await appender.mailboxCreate('MoveMe');
  const config = imapEnv({
    BRANCHLINE_IMAP_URL: `imap://${dovecot.user}@127.0.0.1:${dovecot.port}/MoveMe`,
    BRANCHLINE_IMAP_MOVE_TO: 'Imported',
  });
  const imap = config.imap;
  assert.ok(imap);
  const got: InboundMessage[] = [];
  let failures = 0;
  const cursor = new ImapCursor(store, imap);
  const poller = new ImapPoller({
    imap,
    threads: new ThreadIndex(store),
    ingest: async (m) => {
      if (m.externalId === '<flaky@customer.example>' && failures++ === 0) throw new Error('store busy');
      got.push(m);
    },
    cursor,
    maxBytes: config.smtpMaxBytes,
  });
  await append(mail({ id: '<flaky@customer.example>', subject: 'x', text: 'first try fails' }), 'MoveMe');
  await append(mail({ id: '<steady@customer.example>', subject: 'y', text: 'fine' }), 'MoveMe');
  poller.start();
  try {
    await until('both mails', () => (got.length >= 2 ? true : undefined), { timeoutMs: 15_000 });
    assert.deepEqual(
      got.map((m) => m.externalId),
      ['<flaky@customer.example>', '<steady@customer.example>'],
      'the failed mail is retried first and order is kept',
    );
    assert.equal(failures, 2);
    assert.deepEqual(await cursor.skipped(), []);
    const count = async (box: string) => {
      const st = await appender.status(box, { messages: true });
      return st === false ? undefined : st.messages;
    };
    await until('the folder to be emptied by the moves', async () =>
      (await count('MoveMe')) === 0 ? true : undefined,
    );
    assert.equal(await count('Imported'), 2);
  } finally {
    await poller.close();
  }
});

test('close() during an import waits for the mail to be stored and the cursor written, so a restart does not fetch it again', async () => {
  const store = await openPouchStore(join(dir.dir, 'db'), 'imap-close-race');
  stores.push(store);
  await appender.mailboxCreate('CloseRace');
  const config = imapEnv({
    BRANCHLINE_IMAP_URL: `imap://${dovecot.user}@127.0.0.1:${dovecot.port}/CloseRace`,
  });
  const imap = config.imap;
  assert.ok(imap);
  const cursor = new ImapCursor(store, imap);
  const uid = await append(
    mail({ id: '<close-race@customer.example>', subject: 'r', text: 'race' }),
    'CloseRace',
  );
  let closing: Promise<void> | undefined;
  const poller: ImapPoller = new ImapPoller({
    imap,
    threads: new ThreadIndex(store),
    // The appliance shuts down while this mail is being stored (SIGTERM under load).
    ingest: async () => {
      closing = poller.close();
    },
    cursor,
    maxBytes: config.smtpMaxBytes,
  });
  poller.start();
  await until('the shutdown to start mid-import', () => (closing ? true : undefined), { timeoutMs: 15_000 });
  await closing;
  assert.equal(
    (await cursor.read())?.lastUid,
    uid,
    'the cursor is past the stored mail once close() resolves',
  );
  assert.equal(poller.status().imported, 1, 'the import is counted once it is durable');
});

test('IMAP applies the same policy as SMTP: GBK text becomes UTF-8, a long body is cut with the original kept, a refused file is quarantined with an alarm, an over-size mail is skipped with an alarm', async () => {
  const store = await openPouchStore(join(dir.dir, 'db'), 'imap-policy');
  stores.push(store);
  await appender.mailboxCreate('Policy');
  const config = imapEnv({
    BRANCHLINE_IMAP_URL: `imap://${dovecot.user}@127.0.0.1:${dovecot.port}/Policy`,
    BRANCHLINE_MAIL_BODY_MAX_CHARS: '1000',
  });
  const imap = config.imap;
  assert.ok(imap);
  const got: InboundMessage[] = [];
  const a = alarms.length;
  const b64 = (b: Buffer) => b.toString('base64').replace(/.{76}/g, '$&\r\n');
  const part = (type: string, name: string, data: Buffer) =>
    [
      '--b1',
      `Content-Type: ${type}; name="${name}"`,
      'Content-Transfer-Encoding: base64',
      `Content-Disposition: attachment; filename="${name}"`,
      '',
      b64(data),
    ].join('\r\n');
  const gbk = Buffer.from('c4fabac3a3acc7ebbbd8b8b4a1a3', 'hex'); // "您好，请回复。" in GBK
  const raw = [
    'From: Alice <alice@customer.example>',
    'To: service@branch.example',
    'Subject: policy',
    'Message-ID: <imap-policy@customer.example>',
    'Content-Type: multipart/mixed; boundary="b1"',
    '',
    '--b1',
    'Content-Type: text/plain; charset=utf-8',
    '',
    'x'.repeat(3000),
    part('text/plain; charset=gbk', 'note.txt', gbk),
    part(
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'form.docx',
      Buffer.from('PK\x03\x04docx', 'latin1'),
    ),
    part('application/x-msdownload', 'run.exe', Buffer.from('MZ\x90\x00program', 'latin1')),
    '--b1--',
    '',
  ].join('\r\n');
  await append(raw, 'Policy');
  const bigUid = await append(
    mail({ id: '<imap-big@customer.example>', subject: 'big', text: 'y'.repeat(8000) }),
    'Policy',
  );
  const poller = new ImapPoller({
    imap,
    threads: new ThreadIndex(store),
    ingest: async (m) => void got.push(m),
    cursor: new ImapCursor(store, imap),
    maxBytes: 6000,
    policy: mailPolicyOf(config),
    onAlarm: (al) => void alarms.push(al),
  });
  poller.start();
  try {
    // The skip counter moves before its alarm is raised: wait for the alarm itself.
    const skippedAlarm = () =>
      alarms
        .slice(a)
        .some((x) => x.alarm === 'email.imap_message_skipped' && x.detail?.includes(`UID ${bigUid}`));
    await until('the policy mail and the alarm for the big one', () =>
      got.length === 1 && skippedAlarm() ? true : undefined,
    );
    const m = got[0];
    assert.ok(m);
    assert.ok(m.text.startsWith('x'.repeat(1000)));
    assert.match(
      m.text,
      /\[… truncated: 1000 of 3000 characters shown; the full message is attached as original\.eml\]$/,
    );
    assert.deepEqual(
      m.attachments?.map((x) => [x.name, x.mime]),
      [
        ['original.eml', 'message/rfc822'],
        ['note.txt', 'text/plain; charset=utf-8'],
        ['form.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
      ],
    );
    assert.equal(Buffer.from(m.attachments?.[1]?.data ?? []).toString('utf8'), '您好，请回复。');
    assert.ok(
      Buffer.from(m.attachments?.[0]?.data ?? [])
        .toString('utf8')
        .includes('x'.repeat(3000)),
    );
    assert.deepEqual(
      m.blockedAttachments?.map((x) => [x.name, x.mime, x.reason]),
      [['run.exe', 'application/x-msdownload', 'type_not_allowed']],
    );
    const mine = alarms.slice(a);
    assert.ok(
      mine.some(
        (x) => x.alarm === 'email.attachment_blocked' && x.detail?.includes('<imap-policy@customer.example>'),
      ),
    );
    assert.equal(poller.status().skipped, 1, 'the over-size mail is skipped (left in the mailbox)');
  } finally {
    await poller.close();
  }
});

test('an unreachable IMAP server is retried with back-off, not in a tight loop (the failed connection closing must not cut the wait)', async () => {
  const store = await openPouchStore(join(dir.dir, 'db'), 'imap-down');
  stores.push(store);
  // Nothing listens there: every attempt is refused at once.
  const config = imapEnv({
    BRANCHLINE_IMAP_URL: `imap://${dovecot.user}@127.0.0.1:${await freePort()}/INBOX`,
  });
  const imap = config.imap;
  assert.ok(imap);
  const poller = new ImapPoller({
    imap,
    threads: new ThreadIndex(store),
    ingest: async () => assert.fail('nothing may be ingested'),
    cursor: new ImapCursor(store, imap),
    maxBytes: config.smtpMaxBytes,
    backoff: { initialMs: 300, maxMs: 300 },
  });
  const started = Date.now();
  poller.start();
  try {
    await until('four failed attempts', () => (poller.status().failures >= 4 ? true : undefined));
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 850, `4 attempts with 300 ms between them took ${elapsed} ms`);
    assert.ok(poller.status().failures <= 6, `failures: ${poller.status().failures}`);
  } finally {
    await poller.close();
  }
});
