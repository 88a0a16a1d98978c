import { SMTPServer } from 'smtp-server';

/** A relay the appliance sends to: a real SMTP server on 127.0.0.1 that keeps each message it is given. */
export interface SmtpCapture {
  port: number;
  /** Raw messages (headers and body), in arrival order. */
  received: Buffer[];
  /** RCPT TO addresses of each message, in arrival order. */
  recipients: string[][];
  close(): Promise<void>;
}

/** Starts a capture relay on a free loopback port (no STARTTLS, no AUTH). */
export async function startSmtpCapture(): Promise<SmtpCapture> {
  const received: Buffer[] = [];
  const recipients: string[][] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, cb) {
      const parts: Buffer[] = [];
      stream.on('data', (d: Buffer) => parts.push(d));
      stream.on('end', () => {
        received.push(Buffer.concat(parts));
        recipients.push(session.envelope.rcptTo.map((r) => r.address));
        cb();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.server.address() as { port: number }).port;
  return {
    port,
    received,
    recipients,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
