import nodemailer from 'nodemailer';
import { EmailError, type EmailErrorCode } from './errors.ts';
import type { RelayTarget } from './outbound.ts';

export interface TestMailResult {
  /** The relay's last reply, e.g. "250 2.0.0 Ok: queued as 4F3A". */
  response: string;
  messageId: string;
}

interface SmtpFailure {
  code?: string;
  command?: string;
  responseCode?: number;
  message?: string;
}

/** Which of the refusals an admin can act on this was; the relay's reply code goes along. */
export function classify(err: unknown): EmailErrorCode {
  const e = (err ?? {}) as SmtpFailure;
  const text = `${e.message ?? ''}`;
  if (e.code === 'EAUTH') return 'EMAIL_TEST_AUTH_FAILED';
  if (e.code === 'EENVELOPE' || /^RCPT/i.test(e.command ?? '')) return 'EMAIL_TEST_RECIPIENT_REJECTED';
  if (/ECONNREFUSED/.test(text) || (e.code === 'ESOCKET' && /refused/i.test(text)))
    return 'EMAIL_TEST_CONNECTION_REFUSED';
  if (e.code === 'ETIMEDOUT' || e.code === 'EDNS' || e.code === 'ECONNECTION' || e.code === 'ESOCKET')
    return 'EMAIL_TEST_UNREACHABLE';
  if (e.code === 'ETLS') return 'EMAIL_TEST_TLS_FAILED';
  return 'EMAIL_RELAY_FAILED';
}

/** Sends one plain test mail through `relay` and reports the relay's answer, or a coded refusal. */
export async function sendTestMail(
  relay: RelayTarget | undefined,
  o: { from: string; to: string },
): Promise<TestMailResult> {
  if (!relay)
    throw new EmailError('EMAIL_RELAY_NOT_CONFIGURED', 'No SMTP relay is configured', { status: 409 });
  const transport = nodemailer.createTransport(relay);
  try {
    const info = await transport.sendMail({
      from: o.from,
      to: o.to,
      subject: 'Branchline test mail · 测试邮件',
      text: `This mail was sent by the Branchline appliance to test its mail relay.\n本邮件由 Branchline 设备发送，用于测试发信服务器。\n`,
    });
    return { response: String(info.response ?? ''), messageId: String(info.messageId ?? '') };
  } catch (err) {
    const e = err as SmtpFailure;
    throw new EmailError(classify(err), `The test mail was not accepted: ${e.message ?? String(err)}`, {
      status: 502,
      cause: err,
      details: e.responseCode ? { smtpCode: e.responseCode } : {},
    });
  } finally {
    transport.close();
  }
}
