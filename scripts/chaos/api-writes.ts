// API writes (tickets with a unique subject, customers with a client id)
// while the appliance is killed with SIGKILL at random moments and restarted.
// Acknowledged = a 2xx answer. A write whose answer never came may or may not
// be stored, but never twice.
import { randomUUID } from 'node:crypto';
import { validPhone } from '../../tests/support/synthetic.ts';
import { type ChaosContext, sleep } from './context.ts';
import { token } from './ledger.ts';

/** Writes while `going()`; a refused connection means the appliance is down: wait and go on. */
export async function apiWriter(ctx: ChaosContext, going: () => boolean): Promise<void> {
  while (going()) {
    const ticket = Math.random() < 0.6;
    const scenario = ticket ? 'api-ticket' : 'api-customer';
    ctx.ledger.ran(scenario);
    if (ticket) {
      const subject = `${token('ticket')} card blocked`;
      const r = await ctx.session.request('POST', '/api/tickets', {
        subject,
        description: 'Customer reports a blocked card (chaos suite).',
      });
      const ok = r !== undefined && r.status >= 200 && r.status < 300;
      ctx.ledger.ack({
        kind: 'ticket',
        key: subject,
        channel: 'api',
        scenario,
        ...(ok ? {} : { optional: true }),
      });
      if (r && !ok && r.status !== 503)
        ctx.ledger.problem(scenario, `POST /api/tickets ${r.status} ${JSON.stringify(r.json)}`);
    } else {
      const id = randomUUID();
      const r = await ctx.session.request('POST', '/api/customers', {
        id,
        name: `Chaos ${id.slice(0, 8)}`,
        phone: validPhone(),
      });
      const ok = r !== undefined && r.status >= 200 && r.status < 300;
      ctx.ledger.ack({
        kind: 'customer',
        key: id,
        channel: 'api',
        scenario,
        ...(ok ? {} : { optional: true }),
      });
      if (r && !ok && r.status !== 503)
        ctx.ledger.problem(scenario, `POST /api/customers ${r.status} ${JSON.stringify(r.json)}`);
    }
    if (!ctx.app.ready) await sleep(250);
  }
}
