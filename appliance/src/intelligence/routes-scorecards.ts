import { createRoute, z } from '@hono/zod-openapi';
import { createRouter, principalOf, requirePermission } from '../http/index.ts';
import type { AcousticCheck } from './acoustic-check.ts';
import { scoreWithCard } from './qa.ts';
import { ACOUSTIC_METRICS, TEXT_CHECKS, validateRules } from './scorecard-rules.ts';
import type { Scorecards } from './scorecards.ts';
import type { AcousticMetric, QaRuleDef, TextCheck } from './types.ts';

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});
const Any = z.any();
const CardId = z.object({ id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/) });
const RuleId = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/);
const Weight = z.number().int().min(0).max(100);
const Label = z.string().min(1).max(80).optional();

const TextRule = z
  .object({
    id: RuleId,
    kind: z.literal('text'),
    check: z.enum(TEXT_CHECKS as [TextCheck, ...TextCheck[]]),
    weight: Weight,
    label: Label,
    words: z.array(z.string().min(1).max(80)).max(200).optional(),
    limit: z.number().min(-1).max(3600).optional(),
  })
  .strict();
const AcousticRule = z
  .object({
    id: RuleId,
    kind: z.literal('acoustic'),
    metric: z.enum(ACOUSTIC_METRICS as [AcousticMetric, ...AcousticMetric[]]),
    op: z.enum(['<', '<=', '>', '>=']),
    threshold: z.number().min(0).max(86_400),
    weight: Weight,
    label: Label,
  })
  .strict();
const Rules = z
  .array(z.discriminatedUnion('kind', [TextRule, AcousticRule]))
  .min(1)
  .max(50);
const CardIn = z
  .object({
    name: z.string().min(1).max(80),
    queues: z.array(z.string().min(1).max(64)).max(100).default([]),
    rules: Rules,
    /** The version the editor started from; a newer saved one is a 409. */
    version: z.number().int().min(0).optional(),
  })
  .strict();
const Line = z
  .object({
    role: z.enum(['customer', 'agent', 'bot']),
    text: z.string().max(4000),
    at: z.string().max(40).optional(),
  })
  .strict();
const TestIn = z
  .object({
    /** Unsaved rules to try (the editor's draft); the stored card's rules otherwise. */
    rules: Rules.optional(),
    lines: z.array(Line).max(500).optional(),
    /** A stored call to measure for the acoustic rules. */
    callId: z.string().min(1).max(64).optional(),
  })
  .strict();

/** Strips zod's `undefined` optionals (exactOptionalPropertyTypes). */
const clean = (rules: z.infer<typeof Rules>): QaRuleDef[] =>
  rules.map(
    (r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as unknown as QaRuleDef,
  );

/** QA scorecards (CRUD, versions) and "try this card" under /api/qa/scorecards. */
export function scorecardRoutes(cards: Scorecards, acoustic: AcousticCheck) {
  const app = createRouter();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/qa/scorecards',
      summary: 'QA scorecards (the default card first)',
      middleware: [requirePermission('contacts.monitor')] as const,
      responses: { 200: json(Any, 'Scorecards') },
    }),
    (c) => c.json({ scorecards: cards.list() }, 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/qa/scorecards/{id}',
      summary: 'One scorecard, current version',
      middleware: [requirePermission('contacts.monitor')] as const,
      request: { params: CardId },
      responses: { 200: json(Any, 'Scorecard') },
    }),
    (c) => c.json(cards.get(c.req.valid('param').id), 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/qa/scorecards/{id}/versions',
      summary: 'Saved versions of a scorecard',
      middleware: [requirePermission('contacts.monitor')] as const,
      request: { params: CardId },
      responses: { 200: json(Any, 'Versions') },
    }),
    async (c) => c.json({ versions: await cards.versions(c.req.valid('param').id) }, 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/qa/scorecards/{id}/versions/{version}',
      summary: 'A scorecard as it was at one version (results name the version they were scored with)',
      middleware: [requirePermission('contacts.monitor')] as const,
      request: { params: CardId.extend({ version: z.coerce.number().int().min(1) }) },
      responses: { 200: json(Any, 'Scorecard') },
    }),
    async (c) => {
      const { id, version } = c.req.valid('param');
      return c.json(await cards.version(id, version), 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'put',
      path: '/qa/scorecards/{id}',
      summary: 'Create a scorecard or save a new version of it',
      middleware: [requirePermission('routing.manage')] as const,
      request: { params: CardId, body: { ...json(CardIn, 'Scorecard'), required: true } },
      responses: { 200: json(Any, 'Saved scorecard') },
    }),
    async (c) => {
      const { version, rules, ...rest } = c.req.valid('json');
      const saved = await cards.save(
        c.req.valid('param').id,
        { ...rest, rules: clean(rules) },
        principalOf(c).userId,
        version,
      );
      return c.json(saved, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'delete',
      path: '/qa/scorecards/{id}',
      summary: 'Delete a scorecard (its queues fall back to the default card)',
      middleware: [requirePermission('routing.manage')] as const,
      request: { params: CardId },
      responses: { 204: { description: 'Deleted' } },
    }),
    async (c) => {
      await cards.remove(c.req.valid('param').id, principalOf(c).userId);
      return c.body(null, 204);
    },
  );
  app.openapi(
    createRoute({
      method: 'post',
      path: '/qa/scorecards/{id}/test',
      summary:
        'Score a sample conversation (text rules) and/or a stored call (acoustic rules); nothing is stored',
      middleware: [requirePermission('contacts.monitor')] as const,
      request: { params: CardId, body: { ...json(TestIn, 'Sample'), required: true } },
      responses: { 200: json(Any, 'Findings') },
    }),
    async (c) => {
      const body = c.req.valid('json');
      const draft = body.rules ? clean(body.rules) : undefined;
      if (draft) validateRules(draft);
      const rules = draft ?? cards.get(c.req.valid('param').id).rules;
      const start = Date.now();
      const lines = (body.lines ?? []).map((l, i) => ({
        role: l.role,
        text: l.text,
        // A sample without times reads as one line every ten seconds.
        at: l.at ?? new Date(start + i * 10_000).toISOString(),
      }));
      const metrics = body.callId ? await acoustic.measure(body.callId, principalOf(c).userId) : undefined;
      const scored = scoreWithCard(rules, { lines, ...(metrics ? { acoustic: metrics } : {}) });
      return c.json({ ...scored, ...(metrics ? { acoustic: metrics } : {}) }, 200);
    },
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/qa/acoustic/status',
      summary: 'The acoustic QA queue: queued, running, done, failed, dropped',
      middleware: [requirePermission('contacts.monitor')] as const,
      responses: { 200: json(Any, 'Status') },
    }),
    (c) => c.json(acoustic.status(), 200),
  );
  return app;
}
