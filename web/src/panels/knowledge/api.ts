import type { ApiClient } from '../../data/api.ts';
import { type PageTail, pageQuery } from '../../data/paging.ts';

export type KbLocale = 'zh-CN' | 'en';
export type KbVisibility = 'internal' | 'public';
export type KbStatus = 'draft' | 'in_review' | 'published' | 'superseded';

export interface KbHit {
  articleId: string;
  version: number;
  title: string;
  snippet: string;
  locale: KbLocale;
  category: string;
  visibility: KbVisibility;
}
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
  status: KbStatus;
  authorId: string;
  reviewerId?: string;
  reviewComment?: string;
}
export interface KbUsage {
  views: number;
  helpful: number;
  notHelpful: number;
  usedInReply: number;
}
export interface KbView {
  article: { id: string; locale: KbLocale; publishedVersion?: number; latestVersion: number; usage: KbUsage };
  version: KbVersion;
}
export interface KbCategory {
  id: string;
  name: Record<KbLocale, string>;
}

const art = (id: string) => `/api/kb/articles/${encodeURIComponent(id)}`;

export const searchKb = async (api: ApiClient, q: string) =>
  (await api.get<{ hits: KbHit[] }>('/api/kb/search', { q })).hits;
export const fetchArticle = (api: ApiClient, id: string, version?: number) =>
  api.get<KbView>(art(id), version === undefined ? {} : { version });
/** One page of articles (id order, latest version); pass `nextCursor` back as `cursor` for the next. */
export const fetchArticlePage = (api: ApiClient, cursor?: string) =>
  api.get<{ articles: KbView[] } & PageTail>('/api/kb/articles', pageQuery(cursor));
export const fetchVersions = async (api: ApiClient, id: string) =>
  (await api.get<{ versions: KbVersion[] }>(`${art(id)}/versions`)).versions;
export const fetchCategories = async (api: ApiClient) =>
  (await api.get<{ categories: KbCategory[] }>('/api/kb/categories')).categories;
export const createArticle = (api: ApiClient, input: KbContent & { locale: KbLocale }) =>
  api.post<KbView>('/api/kb/articles', input);
export const editArticle = (api: ApiClient, id: string, patch: Partial<KbContent>) =>
  api.patch<KbView>(art(id), patch);
export const submitArticle = (api: ApiClient, id: string) => api.post<KbView>(`${art(id)}/submit`);
export const approveArticle = (api: ApiClient, id: string) => api.post<KbView>(`${art(id)}/approve`);
export const rejectArticle = (api: ApiClient, id: string, comment: string) =>
  api.post<KbView>(`${art(id)}/reject`, { comment });
export const countUsage = (api: ApiClient, id: string, kind: 'view' | 'helpful' | 'not_helpful' | 'used') =>
  api.post<KbUsage>(`${art(id)}/usage`, { kind });
export const saveCategory = (api: ApiClient, c: KbCategory) => api.post<KbCategory>('/api/kb/categories', c);
export const deleteCategory = (api: ApiClient, id: string) =>
  api.delete(`/api/kb/categories/${encodeURIComponent(id)}`);
/** What keeps a category from being deleted. */
export interface KbCategoryUsedBy {
  articles: Array<{ id: string; title: string }>;
  categories: string[];
}
