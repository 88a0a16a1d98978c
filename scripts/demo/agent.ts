// A scripted agent: signs in, goes available, takes offers pushed on the
// console WebSocket, replies once, wraps up and closes each contact.
import { WebSocket } from 'ws';
import { DemoClient, describe, type Reply } from './client.ts';
import type { DemoAgentLogin } from './options.ts';
import { agentReply } from './synthetic.ts';

export interface AgentTally {
  replies: number;
  closed: number;
  errors: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class DemoAgent {
  readonly tally: AgentTally = { replies: 0, closed: 0, errors: 0 };
  #client: DemoClient;
  #login: DemoAgentLogin;
  #say: (line: string) => void;
  #ws: WebSocket | undefined;
  #busy = new Set<Promise<void>>();
  #seen = new Set<string>();
  #lastActivity = Date.now();
  #closed = false;

  constructor(base: string, login: DemoAgentLogin, say: (line: string) => void) {
    this.#client = new DemoClient(base);
    this.#login = login;
    this.#say = say;
  }

  get name(): string {
    return this.#login.username;
  }

  /** Milliseconds since the agent last got or finished work. */
  get idleMs(): number {
    return this.#busy.size > 0 ? 0 : Date.now() - this.#lastActivity;
  }

  /** Signs in, opens the console socket and sets the state to available; false (and a line) on failure. */
  async start(): Promise<boolean> {
    const r = await this.#client.login(this.#login.username, this.#login.password);
    if (r.status !== 200) return this.#fail(`cannot sign in: ${describe(r)}`);
    if (r.json['mustChangePassword'] || r.json['mfaSetupRequired'])
      return this.#fail(
        'must change password or enrol MFA first (use a no-MFA role with a permanent password)',
      );
    try {
      await this.#open();
    } catch (err) {
      return this.#fail(`console socket refused: ${(err as Error).message}`);
    }
    const s = await this.#client.request('PUT', '/api/routing/me/state', { state: 'available' });
    if (s.status !== 200)
      return this.#fail(`cannot go available: ${describe(s)} (does the user have a routing profile?)`);
    this.#say(`agent ${this.name} signed in and available`);
    // Offers made before the socket opened are listed in the state.
    for (const o of (s.json['offers'] as Array<Record<string, unknown>> | undefined) ?? []) this.#offer(o);
    return true;
  }

  async #open(): Promise<void> {
    const url = `${this.#client.base.replace(/^http/, 'ws')}/api/ws`;
    const ws = new WebSocket(url, { headers: { cookie: this.#client.cookie } });
    this.#ws = ws;
    await new Promise<void>((resolve, reject) => {
      ws.once('message', () => resolve());
      ws.once('error', reject);
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    });
    ws.on('message', (raw) => {
      let msg: { type?: string; event?: { type?: string; data?: Record<string, unknown> } };
      try {
        msg = JSON.parse(String(raw));
      } catch {
        return;
      }
      if (msg.type === 'event' && msg.event?.type === 'routing.offer_created' && msg.event.data)
        this.#offer(msg.event.data);
    });
    ws.on('error', () => undefined);
  }

  #offer(data: Record<string, unknown>): void {
    const offerId = typeof data['offerId'] === 'string' ? data['offerId'] : undefined;
    const task = (data['task'] ?? {}) as Record<string, unknown>;
    const rawContact = data['contactId'] ?? task['contactId'];
    const contactId = typeof rawContact === 'string' ? rawContact : undefined;
    if (!offerId || this.#closed || this.#seen.has(offerId)) return;
    this.#seen.add(offerId);
    this.#lastActivity = Date.now();
    const job = this.#handle(offerId, contactId, String(data['channel'] ?? task['channel'] ?? '?')).catch(
      (err: Error) => {
        this.tally.errors++;
        this.#say(`agent ${this.name}: ${err.message}`);
      },
    );
    const tracked = job.finally(() => {
      this.#busy.delete(tracked);
      this.#lastActivity = Date.now();
    });
    this.#busy.add(tracked);
  }

  async #handle(offerId: string, contactId: string | undefined, channel: string): Promise<void> {
    const c = this.#client;
    const a = await c.request('POST', `/api/routing/offers/${encodeURIComponent(offerId)}/accept`);
    if (a.status !== 200) throw new Error(`accept ${offerId} failed: ${describe(a)}`);
    if (!contactId) return;
    const path = `/api/contacts/${encodeURIComponent(contactId)}`;
    const stateOf = (r: Reply) => (r.json['contact'] as { state?: string } | undefined)?.state;
    let view = await c.request('GET', path);
    // The contact turns active a moment after the accept (routing moves it).
    for (let i = 0; i < 100 && stateOf(view) !== 'active'; i++) {
      await sleep(100);
      view = await c.request('GET', path);
    }
    if (stateOf(view) !== 'active')
      throw new Error(`contact ${contactId} did not become active (${stateOf(view)})`);
    const first = (view.json['messages'] as Array<{ direction?: string; text?: string }> | undefined)?.find(
      (m) => m.direction === 'in',
    );
    await sleep(300 + Math.random() * 700);
    // A call is answered by voice (sipp hangs up by itself); text channels get a written answer.
    if (channel !== 'voice') {
      const r = await c.request('POST', `${path}/reply`, { text: agentReply(first?.text ?? '') });
      if (r.status !== 201) throw new Error(`reply to ${contactId} failed: ${describe(r)}`);
      this.tally.replies++;
      this.#say(`agent ${this.name} replied on ${channel} contact ${contactId}`);
    }
    await sleep(300 + Math.random() * 500);
    const w = await c.request('POST', `${path}/transition`, { to: 'wrap_up' });
    if (w.status !== 200) throw new Error(`wrap-up of ${contactId} failed: ${describe(w)}`);
    const done = await c.request('POST', `${path}/transition`, { to: 'closed', wrapUpCode: 'resolved' });
    if (done.status !== 200) throw new Error(`closing ${contactId} failed: ${describe(done)}`);
    this.tally.closed++;
    this.#say(`agent ${this.name} closed contact ${contactId} (resolved)`);
  }

  /** Waits for contacts in hand (up to `ms`), goes offline and signs out. Idempotent. */
  async close(ms = 10_000): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.race([Promise.allSettled([...this.#busy]), sleep(ms)]);
    this.#ws?.terminate();
    await this.#client.request('PUT', '/api/routing/me/state', { state: 'offline' }).catch(() => undefined);
    await this.#client.request('POST', '/api/auth/logout').catch(() => undefined);
  }

  #fail(why: string): false {
    this.tally.errors++;
    this.#say(`agent ${this.name} ${why}`);
    return false;
  }
}
