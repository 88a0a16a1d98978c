import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { type AppEnv, createRouter, principalOf, requireAuth, requirePermission } from '../http/index.ts';
import { decodeCursor, encodeCursor } from './cursor.ts';
import type { AuditLog } from './log.ts';
import {
  ExportQuery,
  json,
  ReportOut,
  SearchOut,
  SearchQuery,
  SettingsOut,
  SettingsPatchIn,
} from './schemas.ts';
import type { AuditQuery } from './types.ts';

type Q = z.infer<typeof SearchQuery>;

function toQuery(q: Partial<Q>): AuditQuery {
  const out: AuditQuery = {};
  for (const k of ['actor', 'action', 'target', 'outcome', 'from', 'to', 'limit', 'after'] as const) {
    if (q[k] !== undefined) Object.assign(out, { [k]: q[k] });
  }
  if (q.order === 'desc') out.descending = true;
  if (q.cursor !== undefined) out.after = decodeCursor(q.cursor, q.order ?? 'asc');
  return out;
}

function source(c: Context<AppEnv>): { source?: string } {
  const ip = c.get('clientIp');
  return ip && ip !== 'unknown' ? { source: ip } : {};
}

/**
 * Auditor API under /api: search, export (itself audited), verify, settings.
 * Settings changes are refused by the service (AUDIT_FORBIDDEN) rather than
 * the guard so that the refusal is recorded too.
 */
export function auditRoutes(audit: AuditLog): OpenAPIHono<AppEnv> {
  const app = createRouter();

  const search = createRoute({
    method: 'get',
    path: '/audit',
    summary:
      "Search audit records (order=desc for newest first; at most 1000 a page; pass the answer's cursor back for the next page)",
    middleware: [requirePermission('audit.read')],
    request: { query: SearchQuery },
    responses: { 200: json(SearchOut, 'Matching records') },
  });
  app.openapi(search, async (c) => {
    const q = c.req.valid('query');
    const page = await audit.search(toQuery(q));
    const cursor = page.next === undefined ? {} : { cursor: encodeCursor(page.next, q.order ?? 'asc') };
    return c.json({ ...page, ...cursor }, 200);
  });

  const exp = createRoute({
    method: 'get',
    path: '/audit/export',
    summary: 'Export audit records as JSON lines or CSV',
    middleware: [requirePermission('audit.export')],
    request: { query: ExportQuery },
    responses: {
      200: {
        description: 'The export',
        content: { 'application/x-ndjson': { schema: z.string() }, 'text/csv': { schema: z.string() } },
      },
    },
  });
  app.openapi(exp, async (c) => {
    const { format, ...q } = c.req.valid('query');
    const query = toQuery(q);
    const base = {
      actor: principalOf(c).userId,
      action: 'audit.exported',
      target: 'audit:log',
      ...source(c),
    };
    let body: string;
    try {
      body = format === 'csv' ? await audit.exportCsv(query) : await audit.exportJsonl(query);
    } catch (err) {
      await audit.append({ ...base, outcome: 'failure', details: { format, query: { ...query } } });
      throw err;
    }
    const rows = body.split('\n').filter((l) => l.trim() !== '').length - (format === 'csv' ? 1 : 0);
    await audit.append({ ...base, outcome: 'success', details: { format, rows, query: { ...query } } });
    const type = format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson';
    return c.body(body, 200, {
      'Content-Type': type,
      'Content-Disposition': `attachment; filename="audit-export.${format}"`,
    });
  });

  const verify = createRoute({
    method: 'get',
    path: '/audit/verify',
    summary: 'Verify the hash chain, checkpoints and head',
    middleware: [requirePermission('audit.read')],
    responses: { 200: json(ReportOut, 'Verification report') },
  });
  app.openapi(verify, async (c) => c.json({ ...(await audit.verify()), publicKey: audit.publicKey }, 200));

  const getSettings = createRoute({
    method: 'get',
    path: '/audit/settings',
    summary: 'Audit settings',
    middleware: [requirePermission('audit.read')],
    responses: { 200: json(SettingsOut, 'Settings') },
  });
  app.openapi(getSettings, (c) => c.json(audit.getSettings(), 200));

  const putSettings = createRoute({
    method: 'put',
    path: '/audit/settings',
    summary: 'Change audit settings (needs audit.settings; the change is audited)',
    middleware: [requireAuth()],
    request: { body: { content: { 'application/json': { schema: SettingsPatchIn } }, required: true } },
    responses: { 200: json(SettingsOut, 'New settings') },
  });
  app.openapi(putSettings, async (c) => {
    const patch = Object.fromEntries(Object.entries(c.req.valid('json')).filter(([, v]) => v !== undefined));
    return c.json(await audit.updateSettings(patch, principalOf(c), source(c)), 200);
  });

  return app;
}
