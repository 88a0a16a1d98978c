import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { randomId, type SocketLike, type WidgetMessage, WidgetSession } from '../web/src/widget/protocol.ts';
import { type RunningAppliance, startAppliance, tempDataDir } from './support/appliance.ts';
import { bootstrapAdmin } from './support/bootstrap.ts';
import type { ApiClient } from './support/client.ts';
import { untilTrue } from './support/until.ts';

const connect = (url: string) => new WebSocket(url) as unknown as SocketLike;
const until = (what: string, ok: () => boolean | Promise<boolean>) =>
  untilTrue(what, ok, { timeoutMs: 20_000, everyMs: 50 });

interface ContactRow {
  id: string;
  channel: string;
  attributes: Record<string, unknown>;
}

describe('the web chat bot across a crash of the real appliance', () => {
  let app: RunningAppliance | undefined;
  let admin: ApiClient;
  let cleanup: () => Promise<void>;
  let dataDir: string;

  before(async () => {
    const tmp = await tempDataDir('bl-chatbot-restart-');
    cleanup = tmp.cleanup;
    dataDir = tmp.dir;
    app = await startAppliance(dataDir);
    admin = (await bootstrapAdmin(app)).admin;
  });
  after(async () => {
    await app?.stop();
    await cleanup?.();
  });

  /** The webchat contacts in the queue, read with the admin's session (it survives the restart too). */
  const queued = async (base: string): Promise<ContactRow[]> => {
    const r = await fetch(`${base}/api/contacts?scope=all&state=queued`, {
      headers: { cookie: admin.cookie },
    });
    assert.equal(r.status, 200);
    const body = (await r.json()) as { contacts: ContactRow[] };
    return body.contacts.filter((c) => c.channel === 'webchat');
  };

  const widget = (base: string, token: string, got: WidgetMessage[], lastSeq = 0) => {
    const s = new WidgetSession({
      url: `${base.replace('http', 'ws')}/widget/ws`,
      token,
      connect,
      onMessage: (m) => got.push(m),
      backoff: () => 10,
      lastSeq,
    });
    s.start();
    return s;
  };

  test('after SIGKILL and a restart on the same data dir, the visitor’s next message completes the appointment at the branch slot', async () => {
    assert.ok(app);
    const enabled = await admin.request('PUT', '/api/intelligence/settings', { botEnabled: true });
    assert.equal(enabled.status, 200, JSON.stringify(enabled.json));

    const token = randomId(24);
    const got: WidgetMessage[] = [];
    const botSaid = () => got.filter((m) => m.dir === 'out').map((m) => m.text);
    const first = widget(app.base, token, got);
    let lastSeq = 0;
    try {
      await until('connection', () => first.connected);
      first.send('I want to book an appointment');
      await until('the date question', () => botSaid().some((t) => /Which day/.test(t)));
      first.send('tomorrow');
      await until('the branch question', () => botSaid().some((t) => /Which branch/.test(t)));
      lastSeq = first.lastSeq;
    } finally {
      first.close();
    }
    const [held] = await queued(app.base);
    assert.equal(held?.attributes['bot'], 'active');

    await app.kill();
    app = await startAppliance(dataDir);
    const base = app.base;

    // The bot still holds the chat: recovery did not hand it to an agent.
    await until('the restarted appliance to list the chat', async () => (await queued(base)).length === 1);
    const [still] = await queued(base);
    assert.equal(still?.id, held?.id);
    assert.equal(still?.attributes['bot'], 'active');

    const second = widget(base, token, got, lastSeq);
    try {
      await until('reconnection', () => second.connected);
      second.send('Main Street');
      await until('the completed appointment', () =>
        botSaid().some((t) => /tomorrow at Main Street noted/.test(t)),
      );
    } finally {
      second.close();
    }
    await until('the handoff', async () =>
      (await queued(base)).some((c) => c.attributes['bot'] === 'handed_off'),
    );
    const [done] = await queued(base);
    assert.equal(done?.id, held?.id);
    assert.equal(done?.attributes['handoffReason'], 'requested');
    assert.equal(done?.attributes['botTurns'], 3);
    assert.equal(done?.attributes['intent'], 'appointment');
    assert.match(String(done?.attributes['summary']), /appointment tomorrow \| branch Main Street/);
  });
});
