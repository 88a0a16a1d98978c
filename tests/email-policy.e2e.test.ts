/**
 * Ordinary customer mail against a real appliance process over real SMTP
 * (issue 10, "no contact lost"): every item of the corpus is accepted with 250
 * and visible through the API; what the policy refuses is quarantined (not
 * lost), shown to the agent, released by an admin; only what cannot be stored
 * at all gets a permanent 5xx. Refusals and releases are alarmed and audited.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer/index.js';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin, createSignedInUser } from './support/bootstrap.ts';
import type { ApiClient } from './support/client.ts';
import { freePort } from './support/ports.ts';
import { until } from './support/until.ts';

const MAX = 20 * 1024 * 1024;
let app: RunningAppliance;
let admin: ApiClient;
let smtpPort: number;
let cleanup: () => Promise<void>;

before(async () => {
  const tmp = await tempDataDir('bl-email-policy-');
  cleanup = tmp.cleanup;
  smtpPort = await freePort();
  app = await startAppliance(tmp.dir, {
    env: { BRANCHLINE_SMTP_PORT: String(smtpPort), BRANCHLINE_SMTP_MAX_BYTES: String(MAX) },
  });
  admin = (await bootstrapAdmin(app)).admin;
});
after(async () => {
  await app?.stop();
  await cleanup?.();
});

interface Att {
  id: string;
  name: string;
  mime: string;
  bytes: number;
  reason?: string;
}
interface Msg {
  id: string;
  contactId: string;
  text: string;
  attachments: Att[];
  blockedAttachments?: Att[];
  meta?: Record<string, string>;
}

const smtp = () =>
  nodemailer.createTransport({ host: '127.0.0.1', port: smtpPort, secure: false, ignoreTLS: true });

async function send(id: string, o: Partial<Mail.Options>): Promise<string> {
  const info = await smtp().sendMail({
    from: '"Li Na" <li.na@customer.example>',
    to: 'service@branch.example',
    subject: id,
    text: `mail ${id}`,
    messageId: `<${id}@customer.example>`,
    ...o,
  });
  return info.response;
}

/** The stored message of one mail, found through the API as an admin (contacts.monitor). */
async function messageOf(id: string, who: ApiClient = admin): Promise<Msg> {
  return until(
    `the message <${id}@customer.example>`,
    async () => {
      const list = await who.request('GET', '/api/contacts?scope=all');
      for (const c of list.json['contacts'] as Array<{ id: string; channel: string }>) {
        if (c.channel !== 'email') continue;
        const r = await who.request('GET', `/api/contacts/${c.id}`);
        const m = (r.json['messages'] as Msg[] | undefined)?.find(
          (x) => x.meta?.['messageId'] === `<${id}@customer.example>`,
        );
        if (m) return m;
      }
      return undefined;
    },
    { timeoutMs: 20_000 },
  );
}

async function download(
  who: ApiClient,
  id: string,
): Promise<{ status: number; body: Buffer; json: unknown }> {
  const r = await fetch(`${app.base}/api/attachments/${id}`, { headers: { cookie: who.cookie } });
  const body = Buffer.from(await r.arrayBuffer());
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    json = undefined;
  }
  return { status: r.status, body, json };
}

const filler = (n: number) => randomBytes(n);
const zip = (n = 2000) => Buffer.concat([Buffer.from('PK\x03\x04', 'latin1'), filler(n)]);
const heic = Buffer.concat([
  Buffer.from([0, 0, 0, 0x18]),
  Buffer.from('ftypheic\0\0\0\0mif1heic', 'latin1'),
  filler(4000),
]);
// "您好，我的账户被冻结了，请帮忙处理。" in GBK.
const GBK_TEXT = '您好，我的账户被冻结了，请帮忙处理。';
const gbk = Buffer.from('c4fabac3a3acced2b5c4d5cbbba7b1bbb6b3bde1c1cba3acc7ebb0efc3a6b4a6c0eda1a3', 'hex');
const forwarded = [
  'From: Bank Notice <notice@other-bank.example>',
  'To: li.na@customer.example',
  'Subject: Your transfer',
  'Message-ID: <inner-1@other-bank.example>',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'Your transfer of 5,000 CNY was received.',
  '',
].join('\r\n');
const ics = [
  'BEGIN:VCALENDAR',
  'VERSION:2.0',
  'METHOD:REQUEST',
  'BEGIN:VEVENT',
  'UID:meet-1@customer.example',
  'DTSTART:20261210T020000Z',
  'SUMMARY:Mortgage appointment',
  'END:VEVENT',
  'END:VCALENDAR',
  '',
].join('\r\n');
const exe = Buffer.concat([Buffer.from('MZ\x90\x00', 'latin1'), filler(3000)]);

test('ordinary customer mail (office files, HEIC, GBK text, 6 files, a 12 MB PDF, a 70,000-character body, forwarded mail, an invite) is accepted with 250 and visible through the API', async () => {
  const bigPdf = Buffer.concat([Buffer.from('%PDF-1.7\n', 'latin1'), filler(12 * 1024 * 1024)]);
  const longBody = `${'我想咨询房贷提前还款的手续。'.repeat(5000)}END`;
  assert.equal(longBody.length, 70_003);
  const corpus: Array<[string, Partial<Mail.Options>]> = [
    [
      'office',
      {
        attachments: [
          {
            filename: '收入证明.docx',
            content: zip(),
            contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
          },
          { filename: 'statement.xlsx', content: zip(), contentType: 'application/octet-stream' },
        ],
      },
    ],
    ['heic', { attachments: [{ filename: 'IMG_0042.HEIC', content: heic, contentType: 'image/heic' }] }],
    [
      'gbk',
      { attachments: [{ filename: '说明.txt', content: gbk, contentType: 'text/plain; charset=gbk' }] },
    ],
    [
      'six',
      {
        attachments: Array.from({ length: 6 }, (_, i) => ({
          filename: `page-${i + 1}.pdf`,
          content: Buffer.concat([Buffer.from('%PDF-1.4\n', 'latin1'), filler(500)]),
          contentType: 'application/pdf',
        })),
      },
    ],
    [
      'bigpdf',
      { attachments: [{ filename: 'contract.pdf', content: bigPdf, contentType: 'application/pdf' }] },
    ],
    ['longbody', { text: longBody }],
    [
      'forward',
      {
        attachments: [
          {
            filename: 'Your transfer.eml',
            content: forwarded,
            contentType: 'message/rfc822',
            contentDisposition: 'attachment',
          },
        ],
      },
    ],
    [
      'invite',
      {
        attachments: [
          {
            filename: 'invite.ics',
            content: ics,
            contentType: 'text/calendar; method=REQUEST; charset=utf-8',
          },
        ],
      },
    ],
  ];
  for (const [id, o] of corpus) assert.match(await send(id, o), /^250 /, `${id} is accepted`);

  const office = await messageOf('office');
  assert.deepEqual(
    office.attachments.map((a) => [a.name, a.mime.split(';')[0]]),
    [
      ['收入证明.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document'],
      ['statement.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    ],
  );
  assert.equal((await messageOf('heic')).attachments[0]?.mime, 'image/heic');

  const txt = (await messageOf('gbk')).attachments[0];
  assert.ok(txt);
  assert.equal(txt.mime, 'text/plain; charset=utf-8');
  const got = await download(admin, txt.id);
  assert.equal(got.status, 200);
  assert.equal(got.body.toString('utf8'), GBK_TEXT, 'GBK text is stored as UTF-8');

  assert.equal((await messageOf('six')).attachments.length, 6);

  const pdf = (await messageOf('bigpdf')).attachments[0];
  assert.equal(pdf?.bytes, bigPdf.length);
  const pdfBack = await download(admin, pdf.id);
  assert.equal(
    createHash('sha256').update(pdfBack.body).digest('hex'),
    createHash('sha256').update(bigPdf).digest('hex'),
  );

  const long = await messageOf('longbody');
  assert.ok(long.text.length < 65_536, 'the shown body fits the store');
  assert.ok(long.text.startsWith('我想咨询房贷提前还款的手续。'));
  assert.match(
    long.text,
    /\[… truncated: 60000 of 70003 characters shown; the full message is attached as original\.eml\]$/,
  );
  const eml = long.attachments.find((a) => a.name === 'original.eml');
  assert.ok(eml, 'the original is kept as an .eml attachment');
  const original = await simpleParser((await download(admin, eml.id)).body);
  assert.equal(original.text?.trim(), longBody, 'the .eml holds the whole body');

  const fwd = (await messageOf('forward')).attachments[0];
  assert.equal(fwd?.mime, 'message/rfc822');
  assert.match((await download(admin, fwd.id)).body.toString('utf8'), /Your transfer of 5,000 CNY/);
  const inv = (await messageOf('invite')).attachments[0];
  assert.equal(inv?.mime.split(';')[0], 'text/calendar');
});

test('a refused file is quarantined, listed for the agent, released by an admin (audited), and then the agent can open it', async () => {
  const res = await send('blocked', {
    text: 'please see the installer and the form',
    attachments: [
      {
        filename: 'form.pdf',
        content: Buffer.from('%PDF-1.4 form', 'latin1'),
        contentType: 'application/pdf',
      },
      { filename: 'setup.exe', content: exe, contentType: 'application/x-msdownload' },
      { filename: 'invoice.pdf', content: exe, contentType: 'application/pdf' },
    ],
  });
  assert.match(res, /^250 /, 'a mail with refused files is still accepted');
  const m = await messageOf('blocked');
  assert.deepEqual(
    m.attachments.map((a) => a.name),
    ['form.pdf'],
  );
  const blocked = m.blockedAttachments ?? [];
  assert.deepEqual(
    blocked.map((b) => [b.name, b.mime, b.bytes, b.reason]),
    [
      ['setup.exe', 'application/x-msdownload', exe.length, 'type_not_allowed'],
      ['invoice.pdf', 'application/pdf', exe.length, 'content_mismatch'],
    ],
  );
  const exeId = blocked[0]?.id as string;
  const stillBlocked = await download(admin, exeId);
  assert.equal(stillBlocked.status, 409);
  assert.equal(
    (stillBlocked.json as { error: { code: string } }).error.code,
    'CONVERSATIONS_ATTACHMENT_BLOCKED',
  );

  const agent = await createSignedInUser(admin, 'mail.agent', ['agent'], 'mail agent password 1');
  const accepted = await agent.client.request('POST', `/api/contacts/${m.contactId}/transition`, {
    to: 'active',
  });
  assert.equal(accepted.status, 200);
  const seen = await messageOf('blocked', agent.client);
  assert.deepEqual(
    seen.blockedAttachments?.map((b) => b.name),
    ['setup.exe', 'invoice.pdf'],
    'the agent sees what was held back',
  );
  // Only an admin lists and releases the quarantine.
  assert.equal((await agent.client.request('GET', '/api/quarantine/attachments')).status, 403);
  assert.equal(
    (await agent.client.request('POST', `/api/quarantine/attachments/${exeId}/release`, {})).status,
    403,
  );
  const list = await admin.request('GET', '/api/quarantine/attachments?state=blocked');
  assert.equal(list.status, 200);
  const entry = (list.json['attachments'] as Array<Att & { state: string; messageId: string }>).find(
    (a) => a.id === exeId,
  );
  assert.equal(entry?.name, 'setup.exe');
  assert.equal(entry?.reason, 'type_not_allowed');
  assert.equal(entry?.messageId, m.id);

  const released = await admin.request('POST', `/api/quarantine/attachments/${exeId}/release`, {});
  assert.equal(released.status, 200);
  assert.equal(released.json['state'], 'released');
  const again = await admin.request('POST', `/api/quarantine/attachments/${exeId}/release`, {});
  assert.equal(again.status, 409);
  assert.equal((again.json['error'] as { code: string }).code, 'CONVERSATIONS_INVALID_STATE');

  const after = await messageOf('blocked', agent.client);
  assert.deepEqual(
    after.attachments.map((a) => a.name),
    ['form.pdf', 'setup.exe'],
  );
  assert.deepEqual(
    after.blockedAttachments?.map((b) => b.name),
    ['invoice.pdf'],
  );
  const file = await download(agent.client, exeId);
  assert.equal(file.status, 200);
  assert.ok(file.body.equals(exe), 'the agent downloads the released bytes');

  const reader = await auditReader();
  const records = async (action: string) => {
    const r = await reader.request('GET', `/api/audit?action=${action}&limit=200`);
    return r.json['records'] as Array<{ actor: string; target?: string; details: Record<string, unknown> }>;
  };
  const blockedRecs = await records('conversation.attachment_blocked');
  assert.ok(
    blockedRecs.some(
      (r) => r.details['attachmentId'] === exeId && r.details['reason'] === 'type_not_allowed',
    ),
  );
  const releasedRecs = await records('conversation.attachment_released');
  assert.ok(releasedRecs.some((r) => r.details['attachmentId'] === exeId && r.actor !== 'system'));
  const alarms = await records('system.alarm_raised');
  assert.ok(
    alarms.some(
      (r) =>
        r.details['alarm'] === 'email.attachment_blocked' &&
        String(r.details['detail']).includes('<blocked@customer.example>'),
    ),
  );
});

let reader: ApiClient | undefined;
async function auditReader(): Promise<ApiClient> {
  if (reader) return reader;
  const role = await admin.request('POST', '/api/roles', {
    id: 'mail-trail-reader',
    description: 'reads the audit trail',
    permissions: ['audit.read'],
  });
  assert.equal(role.status, 201);
  reader = (await createSignedInUser(admin, 'mail.trail', ['mail-trail-reader'], 'mail trail password 1'))
    .client;
  return reader;
}

/** A raw SMTP dialogue: each step written whole, then its reply awaited. */
async function dialogue(steps: string[]): Promise<string> {
  const sock = connect(smtpPort, '127.0.0.1');
  let out = '';
  sock.on('data', (d) => (out += d));
  const replies = () => (out.match(/^\d{3} /gm) ?? []).length;
  await until('the greeting', () => (replies() >= 1 ? true : undefined));
  for (const [i, step] of steps.entries()) {
    sock.write(`${step}\r\n`);
    await until(`the reply to ${step.slice(0, 20)}`, () => (replies() >= i + 2 ? true : undefined), {
      timeoutMs: 30_000,
    });
  }
  sock.end();
  return out;
}

test('only mail over the size limit is refused, permanently (552), with an alarm on the audit trail', async () => {
  await assert.rejects(
    send('too-big', {
      attachments: [
        {
          filename: 'scan.pdf',
          content: Buffer.concat([Buffer.from('%PDF-1.4\n', 'latin1'), filler(MAX)]),
          contentType: 'application/pdf',
        },
      ],
    }),
    (e: { responseCode?: number }) => e.responseCode === 552,
  );
  // A client that declares the size is refused at MAIL FROM, before sending anything.
  const out = await dialogue([
    'EHLO sender.example',
    `MAIL FROM:<big@customer.example> SIZE=${MAX + 1}`,
    'QUIT',
  ]);
  assert.match(out, /^552 /m);
  const reader = await auditReader();
  await until('two refusal alarms on the audit trail', async () => {
    const r = await reader.request('GET', '/api/audit?action=system.alarm_raised&limit=200');
    const refused = (r.json['records'] as Array<{ details: Record<string, unknown> }>).filter(
      (x) => x.details['alarm'] === 'email.message_refused',
    );
    return refused.length >= 2 ? refused : undefined;
  });
});
