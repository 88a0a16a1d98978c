import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { CrmError } from './errors.ts';

export const SIGNATURE_HEADER = 'x-branchline-signature';
export const TIMESTAMP_HEADER = 'x-branchline-timestamp';

export const WebhookBody = z
  .object({
    eventId: z.string().min(1).max(128),
    type: z.string().min(1).max(64),
    externalId: z.string().min(1).max(64).optional(),
    data: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();
export type WebhookEvent = z.infer<typeof WebhookBody>;

/** `sha256=<hex>` of HMAC-SHA256(secret, `${timestamp}.${rawBody}`): what the external CRM sends. */
export function signWebhook(secret: string, timestamp: number, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`;
}

/**
 * Checks signature (constant time), then the timestamp window, then the body
 * shape. The timestamp is inside the signed string, so an attacker cannot
 * refresh an old request; the window bounds how long event ids must be kept.
 */
export function verifyWebhook(
  rawBody: string,
  headers: { signature: string | undefined; timestamp: string | undefined },
  options: { secret: string; windowS: number; nowMs: number },
): WebhookEvent {
  const ts = Number(headers.timestamp);
  if (!headers.signature || !headers.timestamp || !Number.isInteger(ts)) {
    throw new CrmError('CRM_WEBHOOK_SIGNATURE', 'Missing signature or timestamp', { status: 401 });
  }
  const want = Buffer.from(signWebhook(options.secret, ts, rawBody));
  const got = Buffer.from(headers.signature);
  // Compare equal-length buffers only; the length of a valid signature is public anyway.
  const ok = got.length === want.length && timingSafeEqual(got, want);
  if (!ok) throw new CrmError('CRM_WEBHOOK_SIGNATURE', 'Bad webhook signature', { status: 401 });
  if (Math.abs(options.nowMs / 1000 - ts) > options.windowS) {
    throw new CrmError('CRM_WEBHOOK_STALE', 'Webhook timestamp outside the allowed window', { status: 401 });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody);
  } catch {
    throw new CrmError('CRM_INVALID_FIELD', 'Webhook body is not JSON', { status: 400 });
  }
  const body = WebhookBody.safeParse(parsed);
  if (!body.success) {
    throw new CrmError('CRM_INVALID_FIELD', 'Malformed webhook body', {
      status: 400,
      details: { issues: body.error.issues.map((i) => i.path.join('.')) },
    });
  }
  return body.data;
}
