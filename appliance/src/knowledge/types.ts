import type { KnowledgeService } from './service.ts';

export type KbLocale = 'zh-CN' | 'en';
export type KbVisibility = 'internal' | 'public';
/** draft → in_review → published; a rejected review returns to draft; a newer publish supersedes. */
export type KbVersionStatus = 'draft' | 'in_review' | 'published' | 'superseded';

export interface KbCategory {
  id: string;
  name: { 'zh-CN': string; en: string };
  parentId?: string;
}

/** What an editor writes; every field lives on the version, so changing any of them is reviewed. */
export interface KbContent {
  title: string;
  body: string;
  category: string;
  tags: string[];
  visibility: KbVisibility;
}

export interface KbVersion extends KbContent {
  articleId: string;
  version: number;
  status: KbVersionStatus;
  authorId: string;
  reviewerId?: string;
  reviewComment?: string;
  createdAt: string;
  updatedAt: string;
  submittedAt?: string;
  publishedAt?: string;
}

export interface KbUsage {
  views: number;
  helpful: number;
  notHelpful: number;
  usedInReply: number;
}

export interface KbArticle {
  id: string;
  locale: KbLocale;
  /** Number of the version readers see; absent until the first publish. */
  publishedVersion?: number;
  latestVersion: number;
  createdAt: string;
  usage: KbUsage;
}

export interface KbSearchOptions {
  locale?: KbLocale;
  /** 'public' limits to public articles; 'internal' (agents) sees both. Default 'public'. */
  visibility?: KbVisibility;
  limit?: number;
}

export interface KbSearchHit {
  articleId: string;
  version: number;
  title: string;
  snippet: string;
  locale: KbLocale;
  category: string;
  visibility: KbVisibility;
  score: number;
}

export interface KbActor {
  userId: string;
  source?: string;
}

declare module '../modules.ts' {
  interface Services {
    knowledge: KnowledgeService;
  }
}

declare module '../events/catalogue.ts' {
  interface EventCatalogue {
    'kb.article_created': { articleId: string; locale: KbLocale };
    'kb.draft_updated': { articleId: string; version: number };
    'kb.review_requested': { articleId: string; version: number };
    'kb.review_rejected': { articleId: string; version: number; reviewerId: string };
    'kb.article_published': { articleId: string; version: number; visibility: KbVisibility };
    'kb.category_created': { categoryId: string };
    'kb.category_deleted': { categoryId: string };
    'kb.article_voted': { articleId: string; helpful: boolean };
    'kb.article_used': { articleId: string };
  }
}
