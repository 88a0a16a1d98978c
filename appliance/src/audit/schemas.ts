import { z } from '@hono/zod-openapi';

const Outcome = z.enum(['success', 'failure', 'denied']);

export const RecordOut = z.object({
  seq: z.number().int(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  target: z.string().optional(),
  outcome: Outcome,
  source: z.string().optional(),
  details: z.record(z.string(), z.unknown()).optional(),
  prevHash: z.string(),
  hash: z.string(),
});

export const SearchQuery = z.object({
  actor: z.string().max(200).optional(),
  action: z.string().max(200).optional(),
  target: z.string().max(500).optional(),
  outcome: Outcome.optional(),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  after: z.coerce.number().int().min(0).optional(),
  /** Opaque: the `cursor` of the previous page (same order and filters). */
  cursor: z.string().max(200).optional(),
  order: z.enum(['asc', 'desc']).optional(),
});

export const ExportQuery = SearchQuery.omit({ limit: true, after: true, cursor: true }).extend({
  format: z.enum(['jsonl', 'csv']),
});

export const SearchOut = z.object({
  records: z.array(RecordOut),
  next: z.number().int().optional(),
  /** Pass back as `cursor` for the next page; absent on the last page. */
  cursor: z.string().optional(),
});

export const ReportOut = z.object({
  ok: z.boolean(),
  records: z.number().int(),
  checkpoints: z.number().int(),
  lastSeq: z.number().int(),
  keySource: z.enum(['trusted', 'embedded', 'none']),
  publicKey: z.string(),
  problems: z.array(
    z.object({
      kind: z.string(),
      seq: z.number().int().optional(),
      id: z.string().optional(),
      message: z.string(),
    }),
  ),
});

export const SettingsOut = z.object({
  checkpointEvery: z.number().int(),
  retentionDays: z.number().int(),
  exportMaxRows: z.number().int(),
});

export const SettingsPatchIn = z
  .object({
    checkpointEvery: z.number().int().min(1).max(100_000).optional(),
    retentionDays: z.number().int().min(180).max(36_500).optional(),
    exportMaxRows: z.number().int().min(1).max(10_000_000).optional(),
  })
  .strict();

export function json<T extends z.ZodType>(schema: T, description: string) {
  return { content: { 'application/json': { schema } }, description };
}
