import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { BadInputError } from '../../contracts/index.ts';
import { type AppEnv, createRouter, decodeUtf8, principalOf, requirePermission } from '../../http/index.ts';
import type { WechatChannel } from './channel.ts';
import { WechatError } from './errors.ts';
import type { WechatCredentials } from './types.ts';
import type { CallbackQuery } from './verify.ts';
import { MAX_XML_BYTES } from './xml.ts';

const CredentialsIn = z
  .object({
    receiverId: z.string().regex(/^[A-Za-z0-9_-]{3,64}$/),
    // Write-only: left out keeps the stored value (the console never has it to send back).
    secret: z.string().min(8).max(128).optional(),
    token: z
      .string()
      .regex(/^[A-Za-z0-9]{3,32}$/)
      .optional(),
    encodingAesKey: z
      .string()
      .regex(/^[A-Za-z0-9]{43}$/)
      .optional(),
    agentId: z
      .string()
      .regex(/^\d{1,20}$/)
      .optional(),
    openKfId: z.string().max(64).optional(),
  })
  .strict();

const MaskedOut = z.object({
  configured: z.boolean(),
  receiverId: z.string().optional(),
  agentId: z.string().optional(),
  openKfId: z.string().optional(),
  secret: z.string().optional(),
  token: z.string().optional(),
  encodingAesKey: z.string().optional(),
});

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

function query(c: Context<AppEnv>): CallbackQuery {
  const q = c.req.query();
  return {
    signature: q['signature'],
    msg_signature: q['msg_signature'],
    timestamp: q['timestamp'],
    nonce: q['nonce'],
    echostr: q['echostr'],
  };
}

async function readBody(c: Context<AppEnv>): Promise<string> {
  const type = c.req.header('content-type') ?? 'text/xml';
  if (!/^(text|application)\/xml\b/i.test(type)) {
    throw new WechatError('WECHAT_BAD_XML', 'Callback body must be XML', { status: 415 });
  }
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > MAX_XML_BYTES) {
    throw new WechatError('WECHAT_BODY_TOO_LARGE', `Callback body exceeds ${MAX_XML_BYTES} bytes`, {
      status: 413,
    });
  }
  const buf = await c.req.arrayBuffer();
  if (buf.byteLength > MAX_XML_BYTES) {
    throw new WechatError('WECHAT_BODY_TOO_LARGE', `Callback body exceeds ${MAX_XML_BYTES} bytes`, {
      status: 413,
    });
  }
  return decodeUtf8(buf, 'body');
}

/**
 * Public callback endpoints (authenticated by the platform's signature, not a
 * session; exempt from the console's CSRF check) and the admin config API.
 * The callbacks are plain routes: their wire format is the platform's XML.
 */
export function wechatRoutes(channel: WechatChannel) {
  const app = createRouter();
  const base = `/channels/${channel.flavour}`;

  app.get(`${base}/callback`, async (c) => c.text(await channel.verify(query(c))));
  app.post(`${base}/callback`, async (c) => {
    await channel.receive(query(c), await readBody(c));
    // OA expects "success"; WeCom an empty 200 (no passive reply).
    return c.text(channel.flavour === 'wechat' ? 'success' : '');
  });

  const getConfig = createRoute({
    method: 'get',
    path: `${base}/config`,
    summary: `Show the ${channel.flavour} channel credentials, masked`,
    middleware: [requirePermission('system.manage')] as const,
    responses: { 200: json(MaskedOut, 'Masked credentials') },
  });
  app.openapi(getConfig, async (c) => c.json(await channel.masked(), 200));

  const putConfig = createRoute({
    method: 'put',
    path: `${base}/config`,
    summary: `Set the ${channel.flavour} channel credentials (stored encrypted; a secret left out keeps the stored one)`,
    middleware: [requirePermission('system.manage')] as const,
    request: { body: { ...json(CredentialsIn, 'Credentials'), required: true } },
    responses: { 200: json(MaskedOut, 'Masked credentials') },
  });
  app.openapi(putConfig, async (c) => {
    const input = c.req.valid('json');
    const stored = await channel.credentials();
    const keep = (field: 'secret' | 'token' | 'encodingAesKey') => {
      const v = input[field] ?? stored?.[field];
      if (!v)
        throw new BadInputError('WECHAT_INVALID_CONFIG', `${field} is required the first time`, {
          details: { field },
        });
      return v;
    };
    const creds: WechatCredentials = {
      receiverId: input.receiverId,
      secret: keep('secret'),
      token: keep('token'),
      encodingAesKey: keep('encodingAesKey'),
      ...(input.agentId ? { agentId: input.agentId } : {}),
      ...(input.openKfId ? { openKfId: input.openKfId } : {}),
    };
    await channel.configure(creds, { userId: principalOf(c).userId, source: c.get('clientIp') });
    return c.json(await channel.masked(), 200);
  });
  return app;
}
