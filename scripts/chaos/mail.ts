// SMTP sessions with the corpus. Acknowledged = 250 after DATA. A 4xx or a
// dropped connection is retried with the same Message-ID, as an MTA would.
import nodemailer from 'nodemailer';
import { type ChaosContext, retrying } from './context.ts';
import { token } from './ledger.ts';
import { mailCorpus } from './mail-corpus.ts';

export async function mailRound(ctx: ChaosContext, options: { bigPdf: boolean }): Promise<void> {
  const corpus = mailCorpus((name) => token(`mail${name}`), options.bigPdf);
  const transport = () =>
    nodemailer.createTransport({
      host: '127.0.0.1',
      port: ctx.app.ports.smtp,
      secure: false,
      ignoreTLS: true,
      connectionTimeout: 10_000,
      socketTimeout: 30_000,
    });
  await Promise.all(
    corpus.map(async (item) => {
      const scenario = `mail-${item.name}`;
      ctx.ledger.ran(scenario);
      let refused = false;
      const acked = await retrying(ctx, async () => {
        if (refused) return false;
        try {
          await transport().sendMail(item.mail);
          return true;
        } catch (err) {
          const code = (err as { responseCode?: number }).responseCode;
          if (code !== undefined && code >= 500) {
            // A permanent refusal: the sender gets a bounce, the appliance never said 250.
            refused = true;
            ctx.ledger.problem(scenario, `refused with ${code}: ${(err as Error).message}`);
          } else if (code !== undefined) {
            ctx.ledger.problem(scenario, `temporary ${code}: ${(err as Error).message}`);
          }
          return false;
        }
      });
      // Never answered 250: it may have been stored (at most once) or not.
      ctx.ledger.ack({
        kind: 'mail',
        key: String(item.mail.messageId ?? messageIdOf(item.mail.raw)),
        channel: 'email',
        scenario,
        files: item.files,
        ...(acked ? {} : { optional: true as const }),
      });
    }),
  );
}

function messageIdOf(raw: unknown): string {
  const m = /^Message-ID:\s*(<[^>]+>)/im.exec(Buffer.isBuffer(raw) ? raw.toString('latin1') : String(raw));
  return m?.[1] ?? '';
}
