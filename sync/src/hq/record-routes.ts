import type http from 'node:http';
import type { HqConsole } from './console.ts';
import { HqError } from './errors.ts';
import { onlyFields, readJson, sendJson, stringField } from './http-util.ts';
import { renderRecord, renderRecordList } from './record-page.ts';
import { RECORD_CLASSES, type RecordClass } from './reveal.ts';

const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy':
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'",
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};

const API = /^\/api\/branches\/([A-Za-z0-9_]+)\/records\/([a-z]+)(?:\/([^/]+))?(\/reveal)?$/;
const PAGE = /^\/records\/([A-Za-z0-9_]+)(?:\/([a-z]+))?(?:\/([^/]+))?$/;

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new HqError('HQ_BAD_REQUEST', 'Malformed record id in the path');
  }
}

function classOf(s: string | undefined): RecordClass {
  if (!RECORD_CLASSES.includes(s as RecordClass))
    throw new HqError('HQ_NOT_FOUND', `No record class ${String(s)}`, { status: 404 });
  return s as RecordClass;
}

function branchOf(con: HqConsole, b: string): string {
  if (!con.branches().includes(b)) throw new HqError('HQ_NOT_FOUND', `No branch ${b}`, { status: 404 });
  return b;
}

/**
 * HQ's record view (branch → class → record → fields) and the reveal of one
 * sealed field. Returns false when the request is not one of these routes.
 */
export async function routeRecords(
  con: HqConsole,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  ctx: { url: URL; operator: string },
): Promise<boolean> {
  const method = req.method ?? 'GET';
  const { url, operator } = ctx;
  const api = API.exec(url.pathname);
  if (api?.[1]) {
    const branch = branchOf(con, api[1]);
    const cls = classOf(api[2]);
    const docId = api[3] === undefined ? undefined : decode(api[3]);
    if (method === 'GET' && docId === undefined && !api[4]) {
      sendJson(res, 200, { branch, cls, records: await con.recordIds(branch, cls) });
      return true;
    }
    if (method === 'GET' && docId !== undefined && !api[4]) {
      const record = await con.record(branch, cls, docId);
      if (!record) throw new HqError('HQ_NOT_FOUND', `No record ${docId}`, { status: 404 });
      sendJson(res, 200, { branch, cls, ...record });
      return true;
    }
    if (method === 'POST' && docId !== undefined && api[4]) {
      const body = await readJson(req);
      onlyFields(body, ['field', 'reason']);
      const field = stringField(body, 'field', 64);
      const reason = stringField(body, 'reason', 500).trim();
      if (reason.length < 3) throw new HqError('HQ_BAD_REQUEST', 'Write why you reveal this field');
      const value = await con.reveal(operator, { branch, cls, docId, field, reason });
      // Answered once: nothing may keep it (sendJson also says no-store; said again on purpose).
      sendJson(
        res,
        200,
        { branch, cls, docId, field, value },
        { 'cache-control': 'no-store', pragma: 'no-cache' },
      );
      return true;
    }
    throw new HqError('HQ_NOT_FOUND', 'Not found', { status: 404 });
  }
  const page = method === 'GET' ? PAGE.exec(url.pathname) : null;
  if (!page?.[1]) return false;
  const branch = branchOf(con, page[1]);
  const cls = classOf(page[2] ?? 'tickets');
  res.writeHead(200, PAGE_HEADERS);
  if (page[3] === undefined) {
    res.end(renderRecordList(branch, cls, await con.recordIds(branch, cls)));
    return true;
  }
  const docId = decode(page[3]);
  const record = await con.record(branch, cls, docId);
  if (!record) {
    res.end(renderRecordList(branch, cls, await con.recordIds(branch, cls)));
    return true;
  }
  const canReveal = await con.auth.accounts.hasRole(operator, 'reveal');
  res.end(renderRecord(branch, cls, record, { canReveal }));
  return true;
}
