import { z } from '@hono/zod-openapi';

export const Locale = z.enum(['zh-CN', 'en']);
export const Visibility = z.enum(['internal', 'public']);

export const ContentIn = z
  .object({
    title: z.string().min(1).max(200),
    body: z.string().max(50_000),
    category: z.string().min(1).max(64),
    tags: z.array(z.string().min(1).max(40)).max(20),
    visibility: Visibility,
  })
  .strict();

export const CreateIn = ContentIn.extend({
  id: z
    .string()
    .regex(/^[a-zA-Z0-9_-]{1,64}$/)
    .optional(),
  locale: Locale,
}).strict();
export const EditIn = ContentIn.partial().strict();
export const RejectIn = z.object({ comment: z.string().min(1).max(2000) }).strict();
export const UsageIn = z.object({ kind: z.enum(['view', 'helpful', 'not_helpful', 'used']) }).strict();
export const CategoryIn = z
  .object({
    id: z.string().regex(/^[a-z0-9-]{1,64}$/),
    name: z.object({ 'zh-CN': z.string().min(1).max(100), en: z.string().min(1).max(100) }).strict(),
    parentId: z.string().max(64).optional(),
  })
  .strict();

export const Usage = z.object({
  views: z.number(),
  helpful: z.number(),
  notHelpful: z.number(),
  usedInReply: z.number(),
});

export const Version = z.object({
  articleId: z.string(),
  version: z.number(),
  status: z.enum(['draft', 'in_review', 'published', 'superseded']),
  title: z.string(),
  body: z.string(),
  category: z.string(),
  tags: z.array(z.string()),
  visibility: Visibility,
  authorId: z.string(),
  reviewerId: z.string().optional(),
  reviewComment: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  submittedAt: z.string().optional(),
  publishedAt: z.string().optional(),
});

export const Article = z.object({
  id: z.string(),
  locale: Locale,
  publishedVersion: z.number().optional(),
  latestVersion: z.number(),
  createdAt: z.string(),
  usage: Usage,
});

export const ArticleView = z.object({ article: Article, version: Version });

export const Hit = z.object({
  articleId: z.string(),
  version: z.number(),
  title: z.string(),
  snippet: z.string(),
  locale: Locale,
  category: z.string(),
  visibility: Visibility,
  score: z.number(),
});

export const SearchQuery = z.object({
  q: z.string().min(1).max(200),
  locale: Locale.optional(),
  limit: z.coerce.number().int().min(1).max(50).optional(),
});

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});
