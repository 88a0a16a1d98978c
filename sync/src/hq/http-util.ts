import type http from 'node:http';
import { HqError } from './errors.ts';

const MAX_BODY = 64 * 1024;

export function sendJson(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
}

export function sendError(res: http.ServerResponse, err: HqError): void {
  sendJson(res, err.status, {
    error: { code: err.code, message: err.message, ...(err.details ? { details: err.details } : {}) },
  });
}

/** Reads a JSON object body (at most 64 KiB); anything else is an HqError 400. */
export async function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > MAX_BODY)
      throw new HqError('HQ_BAD_REQUEST', 'Request body too large', { status: 413 });
  }
  let value: unknown;
  try {
    value = JSON.parse(body || '{}');
  } catch {
    throw new HqError('HQ_BAD_REQUEST', 'Request body is not JSON');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value))
    throw new HqError('HQ_BAD_REQUEST', 'Request body must be a JSON object');
  return value as Record<string, unknown>;
}

/** A required non-empty string field of a parsed body. */
export function stringField(body: Record<string, unknown>, name: string, max = 1024): string {
  const v = body[name];
  if (typeof v !== 'string' || v.length === 0 || v.length > max)
    throw new HqError('HQ_BAD_REQUEST', `Field ${name} must be a string of 1-${max} characters`);
  return v;
}

/** Refuses unknown fields, as the appliance's `.strict()` bodies do. */
export function onlyFields(body: Record<string, unknown>, allowed: string[]): void {
  const extra = Object.keys(body).filter((k) => !allowed.includes(k));
  if (extra.length) throw new HqError('HQ_BAD_REQUEST', `Unknown field(s): ${extra.join(', ')}`);
}
