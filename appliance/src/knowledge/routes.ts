import { createRoute, z } from '@hono/zod-openapi';
import type { Context, MiddlewareHandler } from 'hono';
import type { Permission } from '../contracts/index.ts';
import {
  type AppEnv,
  createRouter,
  cursorAfter,
  HttpError,
  NextCursor,
  PageQuery,
  pageOf,
  principalOf,
  requirePermission,
} from '../http/index.ts';
import { KnowledgeError } from './errors.ts';
import type { RateLimiter } from './rate-limit.ts';
import * as s from './schemas.ts';
import type { KnowledgeService } from './service.ts';
import type { KbActor } from './types.ts';

/** Agents and ticket workers read; editors and reviewers too. */
const READERS: Permission[] = ['contacts.handle', 'tickets.read', 'knowledge.write', 'knowledge.review'];
const EDITORS: Permission[] = ['knowledge.write', 'knowledge.review'];

function requireAny(...perms: Permission[]): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const p = principalOf(c);
    if (!perms.some((x) => p.permissions.has(x))) {
      throw new HttpError('HTTP_FORBIDDEN', 'Permission denied', { status: 403, details: { anyOf: perms } });
    }
    await requirePermission()(c, next);
  };
}

function actorOf(c: Context<AppEnv>): KbActor {
  return { userId: principalOf(c).userId, source: c.get('clientIp') };
}

const Id = z.object({ id: z.string().min(1).max(64) });
const view = (description: string) => ({ 200: s.json(s.ArticleView, description) });

/** `/kb/public/*` needs no session (the web widget) and is rate-limited per client address. */
export function knowledgeRoutes(service: KnowledgeService, options: { publicLimiter: RateLimiter }) {
  const app = createRouter();
  const limited: MiddlewareHandler<AppEnv> = async (c, next) => {
    const wait = options.publicLimiter.take(c.get('clientIp'));
    if (wait > 0) {
      c.header('Retry-After', String(wait));
      throw new KnowledgeError('KNOWLEDGE_RATE_LIMITED', 'Too many searches, try again shortly', {
        status: 429,
        details: { retryAfterSeconds: wait },
      });
    }
    await next();
  };

  app.openapi(
    createRoute({
      method: 'get',
      path: '/kb/public/search',
      summary: 'Search published public articles (no session; rate-limited per IP)',
      middleware: [limited] as const,
      request: { query: s.SearchQuery },
      responses: { 200: s.json(z.object({ hits: z.array(s.Hit) }), 'Hits, best first') },
    }),
    (c) => {
      const { q, locale, limit } = c.req.valid('query');
      const hits = service.search(q, {
        visibility: 'public',
        ...(locale ? { locale } : {}),
        limit: limit ?? 5,
      });
      return c.json({ hits }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/kb/public/articles/{id}',
      summary: 'Read a published public article (no session; rate-limited; counts a view)',
      middleware: [limited] as const,
      request: { params: Id },
      responses: {
        200: s.json(
          z.object({ id: z.string(), locale: s.Locale, title: z.string(), body: z.string() }),
          'Article',
        ),
      },
    }),
    async (c) => {
      const { article, version } = await service.getPublished(c.req.valid('param').id, {
        visibility: 'public',
      });
      await service.recordUsage(article.id, 'view', { userId: 'public', source: c.get('clientIp') });
      return c.json(
        { id: article.id, locale: article.locale, title: version.title, body: version.body },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/kb/search',
      summary: 'Search published articles, internal ones included (agents)',
      middleware: [requireAny(...READERS)] as const,
      request: { query: s.SearchQuery },
      responses: { 200: s.json(z.object({ hits: z.array(s.Hit) }), 'Hits, best first') },
    }),
    (c) => {
      const { q, locale, limit } = c.req.valid('query');
      const hits = service.search(q, {
        visibility: 'internal',
        ...(locale ? { locale } : {}),
        limit: limit ?? 10,
      });
      return c.json({ hits }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/kb/categories',
      summary: 'List categories',
      middleware: [requireAny(...READERS)] as const,
      responses: { 200: s.json(z.object({ categories: z.array(s.CategoryIn) }), 'Categories') },
    }),
    async (c) => c.json({ categories: await service.listCategories() }, 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/kb/categories',
      summary: 'Create or rename a category',
      middleware: [requirePermission('knowledge.write')] as const,
      request: { body: { ...s.json(s.CategoryIn, 'Category'), required: true } },
      responses: { 201: s.json(s.CategoryIn, 'Saved') },
    }),
    async (c) => {
      const { parentId, ...rest } = c.req.valid('json');
      const saved = await service.createCategory({ ...rest, ...(parentId ? { parentId } : {}) }, actorOf(c));
      return c.json(saved, 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'delete',
      path: '/kb/categories/{id}',
      summary: 'Delete a category (409 KNOWLEDGE_CATEGORY_IN_USE listing the articles in it)',
      middleware: [requirePermission('knowledge.write')] as const,
      request: { params: z.object({ id: z.string().min(1).max(64) }) },
      responses: { 200: s.json(z.object({ ok: z.boolean() }), 'Deleted') },
    }),
    async (c) => {
      await service.deleteCategory(c.req.valid('param').id, actorOf(c));
      return c.json({ ok: true }, 200);
    },
  );

  registerEditorial(app, service);
  return app;
}

function registerEditorial(app: ReturnType<typeof createRouter>, service: KnowledgeService): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/kb/articles',
      summary:
        'Articles in id order with their latest version, a page at a time (editors; limit ≤ 200; cursor from nextCursor)',
      middleware: [requireAny(...EDITORS)] as const,
      request: { query: PageQuery },
      responses: {
        200: s.json(
          z.object({ articles: z.array(s.ArticleView), nextCursor: NextCursor }),
          'A page of articles',
        ),
      },
    }),
    async (c) => {
      const res = await service.page(pageOf(c.req.valid('query'), 'kb/articles'));
      const nextCursor = cursorAfter('kb/articles', res.last);
      return c.json({ articles: res.articles, ...(nextCursor ? { nextCursor } : {}) }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/kb/articles',
      summary: 'Create an article; version 1 starts as a draft',
      middleware: [requirePermission('knowledge.write')] as const,
      request: { body: { ...s.json(s.CreateIn, 'Article'), required: true } },
      responses: { 201: s.json(s.ArticleView, 'Created') },
    }),
    async (c) => {
      const { id, ...rest } = c.req.valid('json');
      return c.json(await service.create({ ...rest, ...(id ? { id } : {}) }, actorOf(c)), 201);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/kb/articles/{id}',
      summary: 'Read an article: readers get the published version, editors any version',
      middleware: [requireAny(...READERS)] as const,
      request: { params: Id, query: z.object({ version: z.coerce.number().int().min(1).optional() }) },
      responses: view('Article and version'),
    }),
    async (c) => {
      const { id } = c.req.valid('param');
      const { version } = c.req.valid('query');
      const editor = EDITORS.some((p) => principalOf(c).permissions.has(p));
      const found = editor
        ? await service.get(id, version === undefined ? {} : { version })
        : await service.getPublished(id, { visibility: 'internal' });
      return c.json(found, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/kb/articles/{id}/versions',
      summary: 'Version history of an article',
      middleware: [requireAny(...EDITORS)] as const,
      request: { params: Id },
      responses: { 200: s.json(z.object({ versions: z.array(s.Version) }), 'Versions, oldest first') },
    }),
    async (c) => c.json({ versions: await service.versions(c.req.valid('param').id) }, 200),
  );

  app.openapi(
    createRoute({
      method: 'patch',
      path: '/kb/articles/{id}',
      summary: 'Edit the draft (a published article gets a new draft version)',
      middleware: [requirePermission('knowledge.write')] as const,
      request: { params: Id, body: { ...s.json(s.EditIn, 'Changed fields'), required: true } },
      responses: view('Draft'),
    }),
    async (c) => {
      const patch = Object.fromEntries(
        Object.entries(c.req.valid('json')).filter(([, v]) => v !== undefined),
      );
      return c.json(await service.edit(c.req.valid('param').id, patch, actorOf(c)), 200);
    },
  );

  const step = (
    path: string,
    summary: string,
    perm: Permission,
    run: (id: string, c: Context<AppEnv>) => Promise<unknown>,
  ) =>
    app.openapi(
      createRoute({
        method: 'post',
        path: `/kb/articles/{id}/${path}`,
        summary,
        middleware: [requirePermission(perm)] as const,
        request: { params: Id },
        responses: view('Article and its latest version'),
      }),
      async (c) => c.json((await run(c.req.valid('param').id, c)) as z.infer<typeof s.ArticleView>, 200),
    );
  step('submit', 'Submit the draft for review', 'knowledge.write', (id, c) => service.submit(id, actorOf(c)));
  step('approve', 'Approve and publish (not by the author)', 'knowledge.review', (id, c) =>
    service.approve(id, actorOf(c)),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/kb/articles/{id}/reject',
      summary: 'Send the version in review back to draft with a comment',
      middleware: [requirePermission('knowledge.review')] as const,
      request: { params: Id, body: { ...s.json(s.RejectIn, 'Comment'), required: true } },
      responses: view('Draft again'),
    }),
    async (c) => c.json(await service.reject(c.req.valid('param').id, actorOf(c), c.req.valid('json')), 200),
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/kb/articles/{id}/usage',
      summary: 'Count a view, a helpful/not-helpful vote or a use in a reply',
      middleware: [requireAny(...READERS)] as const,
      request: { params: Id, body: { ...s.json(s.UsageIn, 'Kind'), required: true } },
      responses: { 200: s.json(s.Usage, 'Counts now') },
    }),
    async (c) =>
      c.json(await service.recordUsage(c.req.valid('param').id, c.req.valid('json').kind, actorOf(c)), 200),
  );
}
