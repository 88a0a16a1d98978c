import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { transportOptions } from './settings.ts';
import { sendTestMail } from './test-mail.ts';

async function relay(options: SMTPServerOptions) {
  const server = new SMTPServer({ logger: false, disabledCommands: ['STARTTLS'], ...options });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.server.address() as { port: number }).port;
  return { port, close: () => new Promise<void>((r) => server.close(() => r())) };
}

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const codeOf = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'accepted';
  } catch (e) {
    return (e as { code?: string }).code;
  }
};

test('sendTestMail() names each refusal: connection refused, auth failed, rejected recipient, no relay', async () => {
  const from = 'branch@bank.example';
  const to = 'it@bank.example';
  const port = await closedPort();
  assert.equal(
    await codeOf(
      sendTestMail(transportOptions({ host: '127.0.0.1', port, security: 'none' }, undefined), { from, to }),
    ),
    'EMAIL_TEST_CONNECTION_REFUSED',
  );

  const auth = await relay({
    allowInsecureAuth: true,
    authMethods: ['PLAIN', 'LOGIN'],
    onAuth: (_a, _s, cb) => cb(new Error('Invalid username or password')),
  });
  const relayed = { host: '127.0.0.1', port: auth.port, security: 'none' as const, user: 'branch' };
  assert.equal(
    await codeOf(sendTestMail(transportOptions(relayed, 'wrong'), { from, to })),
    'EMAIL_TEST_AUTH_FAILED',
  );
  await auth.close();

  const picky = await relay({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    onRcptTo: (a, _s, cb) =>
      a.address === to ? cb(Object.assign(new Error('No such user'), { responseCode: 550 })) : cb(),
    onData: (stream, _s, cb) => {
      stream.resume();
      stream.on('end', () => cb());
    },
  });
  const open = { host: '127.0.0.1', port: picky.port, security: 'none' as const };
  await assert.rejects(sendTestMail(transportOptions(open, undefined), { from, to }), (e: unknown) => {
    const err = e as { code?: string; details?: { smtpCode?: number } };
    assert.equal(err.code, 'EMAIL_TEST_RECIPIENT_REJECTED');
    assert.equal(err.details?.smtpCode, 550);
    return true;
  });
  const ok = await sendTestMail(transportOptions(open, undefined), { from, to: 'ops@bank.example' });
  assert.match(ok.response, /^250/);
  await picky.close();

  assert.equal(await codeOf(sendTestMail(undefined, { from, to })), 'EMAIL_RELAY_NOT_CONFIGURED');
});
