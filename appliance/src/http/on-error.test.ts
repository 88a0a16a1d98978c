import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { BadInputError, OutOfRangeError } from '../contracts/index.ts';
import { parsePhone } from '../customers/index.ts';
import { setLogSink } from '../logging/index.ts';
import { createApp } from './app.ts';
import { createRouter } from './router.ts';

const lines: Record<string, unknown>[] = [];
setLogSink((line) => lines.push(JSON.parse(line) as Record<string, unknown>));
after(() => setLogSink((line) => process.stderr.write(`${line}\n`)));

function routes() {
  const app = createRouter();
  app.get('/bug', (c) => {
    const order = JSON.parse(c.req.query('order') ?? 'null') as { lines: string[] } | null;
    return c.json({ first: order!.lines[0] }); // a bug: no null check
  });
  app.get('/range-bug', () => {
    throw new RangeError('Invalid array length');
  });
  app.get('/bad-input', () => {
    throw new BadInputError('CUSTOMERS_INVALID_FIELD', 'phone is not a number', {
      details: { field: 'phone' },
    });
  });
  app.get('/out-of-range', () => {
    throw new OutOfRangeError('TICKETS_INVALID_CALENDAR', 'Invalid time "25:00": expected HH:MM');
  });
  app.get('/region', (c) => c.json({ phone: parsePhone('13900001111', c.req.query('region') ?? 'CN') }));
  return app;
}

const app = createApp({
  resolveSession: async () => undefined,
  health: async () => ({ status: 'ok' }),
  mount: [['/public', routes()]],
});

const get = async (path: string) => {
  const res = await app.request(path);
  return {
    status: res.status,
    body: (await res.json()) as {
      error: { code: string; message: string; details?: Record<string, unknown> };
    },
  };
};

test('a TypeError from a bug in a route is a 500 HTTP_INTERNAL whose incident id is in the log with the stack', async () => {
  const r = await get('/public/bug');
  assert.equal(r.status, 500);
  assert.equal(r.body.error.code, 'HTTP_INTERNAL');
  assert.doesNotMatch(r.body.error.message, /lines/, 'the runtime message does not leak');
  const incidentId = r.body.error.details?.['incidentId'];
  assert.match(String(incidentId), /^[0-9a-f-]{36}$/);
  const logged = lines.find((l) => l['incidentId'] === incidentId);
  assert.ok(logged, `no log line carries incident ${String(incidentId)}`);
  assert.equal(logged['lvl'], 'error');
  assert.match(String(logged['msg']), new RegExp(`incidentId:${String(incidentId)}`));
  assert.match(String(logged['stack']), /TypeError[\s\S]*on-error\.test\.ts/);
});

test('a plain RangeError is a 500 too, each with its own incident id', async () => {
  const a = await get('/public/range-bug');
  const b = await get('/public/range-bug');
  assert.equal(a.status, 500);
  assert.equal(a.body.error.code, 'HTTP_INTERNAL');
  assert.notEqual(a.body.error.details?.['incidentId'], b.body.error.details?.['incidentId']);
});

test('a deliberate bad argument keeps its code and is a 400', async () => {
  const bad = await get('/public/bad-input');
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.body.error, {
    code: 'CUSTOMERS_INVALID_FIELD',
    message: 'phone is not a number',
    details: { field: 'phone' },
  });
  const range = await get('/public/out-of-range');
  assert.equal(range.status, 400);
  assert.equal(range.body.error.code, 'TICKETS_INVALID_CALENDAR');
});

test('a domain function refusing bad input (parsePhone with an unknown region) answers a coded 400', async () => {
  const r = await get('/public/region?region=XX');
  assert.equal(r.status, 400);
  assert.equal(r.body.error.code, 'CUSTOMERS_INVALID_FIELD');
  assert.equal((await get('/public/region?region=CN')).status, 200);
});
