import { z } from '@hono/zod-openapi';

/** One rule's verdict on a contact (types.ts QaFinding). */
const QaFindingOut = z.object({
  rule: z.string(),
  kind: z.enum(['text', 'acoustic']).optional(),
  passed: z.boolean(),
  penalty: z.number(),
  detail: z.string(),
});

/** A contact's QA result as the API answers it (types.ts QaResult). */
export const QaResultOut = z.object({
  contactId: z.string(),
  channel: z.string(),
  agentId: z.string().optional(),
  score: z.number().optional(),
  status: z.literal('not_scored').optional(),
  reason: z.literal('no_transcript').optional(),
  findings: z.array(QaFindingOut),
  notApplicable: z.array(z.string()).optional(),
  scorecard: z.object({ id: z.string(), version: z.number() }).optional(),
  /** What a call's recording measured (seconds, shares 0–1, counts). */
  acoustic: z.record(z.string(), z.number()).optional(),
  scoredAt: z.string(),
  closedAt: z.string(),
  override: z
    .object({ score: z.number(), comment: z.string(), reviewerId: z.string(), at: z.string() })
    .optional(),
});
