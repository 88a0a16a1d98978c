// The mail corpus, generated: file bytes are synthetic but start with the
// real magic bytes (OOXML zip, ISO-BMFF HEIC, PDF), so type sniffing sees
// what a customer's mail client would send.
import iconv from 'iconv-lite';
import type { SendMailOptions } from 'nodemailer';

export interface CorpusMail {
  name: string;
  /** A structured mail (nodemailer builds the MIME) or raw bytes (malformed on purpose). */
  mail: SendMailOptions;
  /** Attachment names that must end up stored or quarantined. */
  files: string[];
}

const zip = (inner: string, size = 4_000) =>
  Buffer.concat([
    Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00]),
    Buffer.from(`[Content_Types].xml${inner}`),
    Buffer.alloc(size, 0x20),
  ]);
const heic = () =>
  Buffer.concat([
    Buffer.from([0x00, 0x00, 0x00, 0x18]),
    Buffer.from('ftypheic'),
    Buffer.from([0, 0, 0, 0]),
    Buffer.from('mif1heic'),
    Buffer.alloc(30_000, 0x11),
  ]);
const pdf = (bytes: number) =>
  Buffer.concat([
    Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n', 'latin1'),
    Buffer.alloc(Math.max(0, bytes - 80), 0x30),
    Buffer.from('\n%%EOF\n'),
  ]);
const png = () =>
  Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(2_000, 7)]);
const jpeg = () => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(3_000, 9)]);

function ics(uid: string): string {
  return [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Chaos//EN',
    'METHOD:REQUEST',
    'BEGIN:VEVENT',
    `UID:${uid}`,
    'DTSTAMP:20261207T010000Z',
    'DTSTART:20261210T020000Z',
    'DTEND:20261210T030000Z',
    'SUMMARY:Branch appointment',
    'ORGANIZER:mailto:customer@customer.example',
    'ATTENDEE:mailto:service@branch.example',
    'END:VEVENT',
    'END:VCALENDAR',
    '',
  ].join('\r\n');
}

/** A long complaint as customers write them: sentences, paragraphs, Chinese and English mixed. */
function longBody(chars: number): string {
  const lines = [
    '我的信用卡在上个月出现了多笔我不认识的消费，请尽快帮我核查并冻结这张卡。',
    'I have attached my notes about each transaction below, with dates and amounts.',
    '2026-11-03 商户：某某超市 金额：¥1,288.00 —— 我当天并不在这个城市。',
    '',
  ];
  let out = '';
  for (let i = 0; out.length < chars; i++) out += `${lines[i % lines.length]}\n`;
  return out.slice(0, chars);
}

/** A malformed MIME message: unclosed multipart, unknown charset, broken QP and base64. */
function malformed(t: string, messageId: string): Buffer {
  return Buffer.from(
    [
      `From: odd.${t.toLowerCase()}@customer.example`,
      'To: service@branch.example',
      `Subject: ${t} broken`,
      `Message-ID: ${messageId}`,
      'Content-Type: multipart/mixed; boundary="never-closed"',
      'Content-Transfer-Encoding: base64',
      '',
      '--never-closed',
      'Content-Type: text/plain; charset=no-such-charset',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      `${t} half a body =ZZ =`,
      '--never-closed',
      'Content-Type: application/octet-stream; name="x.bin"',
      'Content-Transfer-Encoding: base64',
      '',
      '!!!not base64!!!',
    ].join('\r\n'),
  );
}

/** The corpus for one round; every mail carries `t`-derived tokens in subject, body and Message-ID. */
export function mailCorpus(tokenFor: (name: string) => string, bigPdf: boolean): CorpusMail[] {
  const out: CorpusMail[] = [];
  const add = (name: string, build: (t: string, messageId: string) => Omit<CorpusMail, 'name'>) => {
    const t = tokenFor(name);
    out.push({ name, ...build(t, `<${t.toLowerCase()}@customer.example>`) });
  };
  const base = (t: string, messageId: string, text: string): SendMailOptions => ({
    from: `"客户 ${t}" <${t.toLowerCase()}@customer.example>`,
    to: 'service@branch.example',
    subject: `${t} 咨询`,
    text: `${t}\n${text}`,
    messageId,
  });
  add('office', (t, id) => ({
    mail: {
      ...base(t, id, '附件是申请表和对账单。'),
      attachments: [
        {
          filename: 'application.docx',
          content: zip('word/document.xml'),
          contentType: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
        },
        {
          filename: '对账单.xlsx',
          content: zip('xl/workbook.xml'),
          contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        },
      ],
    },
    files: ['application.docx', '对账单.xlsx'],
  }));
  add('heic', (t, id) => ({
    mail: {
      ...base(t, id, 'Sent from my iPhone'),
      attachments: [{ filename: 'IMG_0042.HEIC', content: heic(), contentType: 'image/heic' }],
    },
    files: ['IMG_0042.HEIC'],
  }));
  add('gbk', (t, id) => ({
    mail: {
      ...base(t, id, '请看附件（GBK 编码）。'),
      attachments: [
        {
          filename: 'note-gbk.txt',
          content: iconv.encode('您好，我的银行卡被锁定了，请帮忙处理。', 'gbk'),
          contentType: 'text/plain; charset=gbk',
        },
      ],
    },
    files: ['note-gbk.txt'],
  }));
  add('six', (t, id) => {
    const files = [
      { filename: 'a.png', content: png(), contentType: 'image/png' },
      { filename: 'b.jpg', content: jpeg(), contentType: 'image/jpeg' },
      { filename: 'c.pdf', content: pdf(5_000), contentType: 'application/pdf' },
      { filename: 'd.txt', content: Buffer.from('plain notes'), contentType: 'text/plain' },
      { filename: 'e.csv', content: Buffer.from('a,b\n1,2\n'), contentType: 'text/csv' },
      { filename: 'f.docx', content: zip('word/document.xml', 1_000), contentType: 'application/msword' },
    ];
    return {
      mail: { ...base(t, id, 'Six files attached.'), attachments: files },
      files: files.map((f) => f.filename),
    };
  });
  if (bigPdf) {
    add('pdf12mb', (t, id) => ({
      mail: {
        ...base(t, id, 'The full statement, 12 MB.'),
        attachments: [
          { filename: 'statement.pdf', content: pdf(12 * 1024 * 1024), contentType: 'application/pdf' },
        ],
      },
      files: ['statement.pdf'],
    }));
  }
  add('long', (t, id) => ({
    mail: base(t, id, longBody(70_000)),
    files: [],
  }));
  add('forward', (t, id) => ({
    mail: {
      ...base(t, id, 'Forwarding the bank notice I received.'),
      attachments: [
        {
          filename: 'notice.eml',
          contentType: 'message/rfc822',
          content: Buffer.from(
            'From: notice@bank.example\r\nTo: me@customer.example\r\nSubject: Notice\r\nMessage-ID: <inner-' +
              t.toLowerCase() +
              '@bank.example>\r\n\r\nYour card will expire.\r\n',
          ),
        },
      ],
    },
    files: [],
  }));
  add('ics', (t, id) => ({
    mail: {
      ...base(t, id, 'Invitation: branch appointment'),
      icalEvent: { method: 'REQUEST', filename: 'invite.ics', content: ics(`${t}@customer.example`) },
    },
    files: [],
  }));
  add('malformed', (t, id) => ({
    mail: {
      envelope: { from: `odd.${t.toLowerCase()}@customer.example`, to: ['service@branch.example'] },
      raw: malformed(t, id),
    },
    files: [],
  }));
  return out;
}
