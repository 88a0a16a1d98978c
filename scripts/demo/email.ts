// Synthetic customer emails over real SMTP (nodemailer, no TLS, no auth: the
// appliance's inbound MX accepts loopback senders). About one in three is a
// reply to an earlier demo mail, with In-Reply-To/References, so it threads.
import { randomInt, randomUUID } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import { type Persona, persona, type Topic, topic } from './synthetic.ts';

interface Sent {
  who: Persona;
  topic: Topic;
  messageId: string;
}

export class DemoMailer {
  #transport: Transporter;
  #sent: Sent[] = [];

  constructor(host: string, port: number) {
    this.#transport = nodemailer.createTransport({
      host,
      port,
      secure: false,
      ignoreTLS: true,
      connectionTimeout: 5_000,
      greetingTimeout: 5_000,
      socketTimeout: 15_000,
    });
  }

  /** Sends one mail; returns a progress line. Throws when the server refuses it. */
  async send(n: number): Promise<string> {
    const earlier =
      this.#sent.length > 0 && randomInt(0, 3) === 0
        ? this.#sent[randomInt(0, this.#sent.length)]
        : undefined;
    const who = earlier?.who ?? persona();
    const t = earlier?.topic ?? topic(who.lang);
    const messageId = `<demo-${randomUUID()}@example.cn>`;
    const follow =
      who.lang === 'zh'
        ? '补充一下：上封邮件的问题还没有解决，麻烦尽快回复。'
        : 'Following up: my earlier question is still open, please reply.';
    await this.#transport.sendMail({
      from: `"${who.name}" <${who.email}>`,
      to: 'service@branch.example',
      subject: earlier ? `Re: ${t.subject}` : t.subject,
      text: earlier ? `${follow}\n\n> ${t.lines[0]}` : `${t.lines.join('\n')}\n\n${who.name}\n${who.phone}`,
      messageId,
      ...(earlier ? { inReplyTo: earlier.messageId, references: [earlier.messageId] } : {}),
    });
    this.#sent.push({ who, topic: t, messageId });
    return `email ${n}: ${who.email} ${earlier ? 'replies on' : 'writes about'} "${t.subject}"`;
  }

  close(): void {
    this.#transport.close();
  }
}
