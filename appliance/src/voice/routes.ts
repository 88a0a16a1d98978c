import { createRoute, z } from '@hono/zod-openapi';
import { createRouter, principalOf, requirePermission } from '../http/index.ts';
import { VoiceError } from './errors.ts';
import type { VoiceStack } from './setup.ts';
import { type SipAccountDoc, SipAccounts } from './sip/registrar.ts';

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

const AccountIn = z
  .object({
    username: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
    password: z.string().min(12).max(128),
    userId: z.string().min(1).max(64).optional(),
    allowOutbound: z.boolean().optional(),
    maxConcurrentCalls: z.number().int().min(1).max(10).optional(),
    /** Challenges offered, most preferred first; default ['MD5']; ['SHA-256'] requires SHA-256. */
    digestAlgorithms: z
      .array(z.enum(['SHA-256', 'MD5']))
      .min(1)
      .max(2)
      .refine((l) => new Set(l).size === l.length, 'each algorithm once')
      .optional(),
    /** Media encryption: required (SRTP or 488), optional (default), off. */
    srtp: z.enum(['required', 'optional', 'off']).optional(),
  })
  .strict();

const AccountOut = z.object({
  username: z.string(),
  userId: z.string().optional(),
  allowOutbound: z.boolean(),
  maxConcurrentCalls: z.number(),
  digestAlgorithms: z.array(z.enum(['SHA-256', 'MD5'])),
  srtp: z.enum(['required', 'optional', 'off']),
  createdAt: z.string(),
  registered: z.boolean(),
});

const AccountPatch = z
  .object({
    /** The owner (a desk phone's agent); null makes it nobody's. */
    userId: z.string().min(1).max(64).nullable().optional(),
    password: z.string().min(12).max(128).optional(),
    allowOutbound: z.boolean().optional(),
    maxConcurrentCalls: z.number().int().min(1).max(10).optional(),
    srtp: z.enum(['required', 'optional', 'off']).optional(),
  })
  .strict();
const Username = z.object({ username: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/) });
const TestCallIn = z.object({ language: z.enum(['en', 'zh']).optional() }).strict();
const TEST_PROMPT = {
  en: 'This is a test call from Branchline. Your desk phone works.',
  zh: '这是来自 Branchline 的测试电话。您的座机工作正常。',
} as const;

const CallOut = z.object({
  id: z.string(),
  contactId: z.string().optional(),
  customerId: z.string().optional(),
  state: z.string(),
  queue: z.string().optional(),
  agentUserId: z.string().optional(),
  startedAt: z.string(),
});

const LegStatsOut = z.object({
  packetsIn: z.number(),
  packetsOut: z.number(),
  bytesIn: z.number(),
  lost: z.number(),
  jitterMs: z.number(),
  mos: z.number(),
  rttMs: z.number().optional(),
  remoteLossPct: z.number().optional(),
  srtp: z.object({ suite: z.string(), authFailures: z.number(), replays: z.number() }).optional(),
});

const BlockedOut = z.object({
  source: z.string(),
  reason: z.enum(['auth_failures', 'flood', 'trunk_flood', 'manual']),
  since: z.string(),
  until: z.string(),
  requests: z.number(),
});

/** Digests never leave the appliance: an account is shown by its policy and registration only. */
function accountView(stack: VoiceStack, a: SipAccountDoc): z.infer<typeof AccountOut> {
  return {
    username: a.username,
    ...(a.userId ? { userId: a.userId } : {}),
    allowOutbound: a.allowOutbound,
    maxConcurrentCalls: a.maxConcurrentCalls,
    digestAlgorithms: [...SipAccounts.algorithmsOf(a)],
    srtp: a.srtp ?? 'optional',
    createdAt: a.createdAt,
    registered: stack.accounts.binding(a.username) !== undefined,
  };
}

/** Voice status, SIP accounts (system.manage) and the live call list (contacts.monitor). */
export function voiceRoutes(stack: VoiceStack) {
  const app = createRouter();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/voice/status',
      summary: 'SIP listener and media worker status',
      middleware: [requirePermission('system.manage')] as const,
      responses: {
        200: json(
          z.object({
            sip: z
              .object({
                host: z.string(),
                port: z.number(),
                tcpPort: z.number().optional(),
                tlsPort: z.number().optional(),
              })
              .optional(),
            worker: z.object({ pid: z.number().optional(), restarts: z.number() }),
            calls: z.number(),
          }),
          'Status',
        ),
      },
    }),
    (c) => {
      let sip: { host: string; port: number; tcpPort?: number; tlsPort?: number } | undefined;
      try {
        const { tcp, tls } = stack.transport.streamListeners;
        sip = {
          ...stack.transport.local,
          ...(tcp ? { tcpPort: tcp.port } : {}),
          ...(tls ? { tlsPort: tls.port } : {}),
        };
      } catch {
        sip = undefined;
      }
      const pid = stack.worker.pid;
      return c.json(
        {
          ...(sip ? { sip } : {}),
          worker: { ...(pid ? { pid } : {}), restarts: stack.worker.restarts },
          calls: stack.service.list().length,
        },
        200,
      );
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/voice/calls',
      summary: 'Live calls',
      middleware: [requirePermission('contacts.monitor')] as const,
      responses: { 200: json(z.object({ calls: z.array(CallOut) }), 'Live calls') },
    }),
    (c) => {
      const calls = stack.service.list().map((k) => ({
        id: k.id,
        state: k.state,
        startedAt: k.startedAt,
        ...(k.contactId ? { contactId: k.contactId } : {}),
        ...(k.customerId ? { customerId: k.customerId } : {}),
        ...(k.queue ? { queue: k.queue } : {}),
        ...(k.agentLeg ? { agentUserId: k.agentLeg.userId } : {}),
      }));
      return c.json({ calls }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/voice/calls/{id}/stats',
      summary: "A live call's media figures per leg (SRTP: suite, authentication failures, replays)",
      middleware: [requirePermission('contacts.monitor')] as const,
      request: { params: z.object({ id: z.string().min(1).max(64) }) },
      responses: {
        200: json(
          z.object({ legs: z.object({ customer: LegStatsOut.optional(), agent: LegStatsOut.optional() }) }),
          'Figures',
        ),
      },
    }),
    async (c) => {
      const legs = await stack.service.mediaStats(c.req.valid('param').id);
      if (!legs) throw new VoiceError('VOICE_CALL_NOT_FOUND', 'No such live call');
      return c.json({ legs }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/voice/sip-accounts',
      summary: 'SIP phone accounts (secrets are never returned)',
      middleware: [requirePermission('system.manage')] as const,
      responses: { 200: json(z.object({ accounts: z.array(AccountOut) }), 'Accounts') },
    }),
    async (c) => {
      const accounts = (await stack.accounts.list()).map((a) => accountView(stack, a));
      return c.json({ accounts }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/voice/sip-accounts',
      summary: 'Create a SIP phone account, optionally for a user (their desk phone)',
      middleware: [requirePermission('system.manage')] as const,
      request: { body: { content: { 'application/json': { schema: AccountIn } }, required: true } },
      responses: { 201: json(z.object({ account: AccountOut }), 'Created') },
    }),
    async (c) => {
      const b = c.req.valid('json');
      const input = {
        username: b.username,
        password: b.password,
        ...(b.userId ? { userId: b.userId } : {}),
        ...(b.allowOutbound !== undefined ? { allowOutbound: b.allowOutbound } : {}),
        ...(b.maxConcurrentCalls !== undefined ? { maxConcurrentCalls: b.maxConcurrentCalls } : {}),
        ...(b.digestAlgorithms ? { digestAlgorithms: b.digestAlgorithms } : {}),
        ...(b.srtp ? { srtp: b.srtp } : {}),
      };
      const account = await stack.createAccount(input, {
        userId: principalOf(c).userId,
        source: c.get('clientIp'),
      });
      return c.json({ account: accountView(stack, account) }, 201);
    },
  );
  app.openapi(
    createRoute({
      method: 'patch',
      path: '/voice/sip-accounts/{username}',
      summary: "Change a phone account's owner, policy or password (audited)",
      middleware: [requirePermission('system.manage')] as const,
      request: {
        params: Username,
        body: { content: { 'application/json': { schema: AccountPatch } }, required: true },
      },
      responses: { 200: json(z.object({ account: AccountOut }), 'Saved') },
    }),
    async (c) => {
      const b = c.req.valid('json');
      const account = await stack.updateAccount(
        c.req.valid('param').username,
        {
          ...(b.userId !== undefined ? { userId: b.userId } : {}),
          ...(b.password !== undefined ? { password: b.password } : {}),
          ...(b.allowOutbound !== undefined ? { allowOutbound: b.allowOutbound } : {}),
          ...(b.maxConcurrentCalls !== undefined ? { maxConcurrentCalls: b.maxConcurrentCalls } : {}),
          ...(b.srtp !== undefined ? { srtp: b.srtp } : {}),
        },
        { userId: principalOf(c).userId, source: c.get('clientIp') },
      );
      return c.json({ account: accountView(stack, account) }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'delete',
      path: '/voice/sip-accounts/{username}',
      summary: 'Delete a phone account (audited); 404 when there is none',
      middleware: [requirePermission('system.manage')] as const,
      request: { params: Username },
      responses: { 204: { description: 'Deleted' } },
    }),
    async (c) => {
      await stack.deleteAccount(c.req.valid('param').username, {
        userId: principalOf(c).userId,
        source: c.get('clientIp'),
      });
      return c.body(null, 204);
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/voice/sip-accounts/{username}/test-call',
      summary:
        'Ring a registered desk phone and play a spoken prompt (audited); 409 VOICE_PHONE_NOT_REGISTERED when it is not registered',
      middleware: [requirePermission('system.manage')] as const,
      request: {
        params: Username,
        body: { content: { 'application/json': { schema: TestCallIn } }, required: false },
      },
      responses: { 200: json(z.object({ answered: z.boolean(), callId: z.string() }), 'Answered') },
    }),
    async (c) => {
      const lang = c.req.valid('json')?.language ?? 'en';
      const placed = await stack.testCall(
        c.req.valid('param').username,
        { text: TEST_PROMPT[lang], lang },
        { userId: principalOf(c).userId, source: c.get('clientIp') },
      );
      return c.json({ answered: true, callId: placed.callId }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/voice/blocked-sources',
      summary: 'SIP source addresses blocked now (auth brute force, floods), with why and until when',
      middleware: [requirePermission('system.manage')] as const,
      responses: { 200: json(z.object({ sources: z.array(BlockedOut) }), 'Blocked sources') },
    }),
    (c) => {
      const sources = stack.blockedSources().map((b) => ({
        ...b,
        since: new Date(b.since).toISOString(),
        until: new Date(b.until).toISOString(),
      }));
      return c.json({ sources }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'delete',
      path: '/voice/blocked-sources/{source}',
      summary: 'Release a blocked SIP source (audited); 404 when it is not blocked',
      middleware: [requirePermission('system.manage')] as const,
      request: {
        params: z.object({
          source: z.string().regex(/^(\d{1,3}\.){3}\d{1,3}$|^[0-9a-fA-F:]{2,39}$/, 'an IPv4 or IPv6 address'),
        }),
      },
      responses: { 204: { description: 'Released' } },
    }),
    async (c) => {
      const { source } = c.req.valid('param');
      await stack.releaseSource(source, { userId: principalOf(c).userId, source: c.get('clientIp') });
      return c.body(null, 204);
    },
  );
  return app;
}
