import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SeedArticle } from './seed.ts';
import type { KbCategory, KbLocale, KbVisibility } from './types.ts';

const dir = path.join(import.meta.dirname, 'testdata');
const load = <T>(name: string): T => JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as T;

export interface QualityQuery {
  query: string;
  expected: string[];
  locale?: KbLocale;
  visibility?: KbVisibility;
}

export const seedData = () => ({
  categories: load<KbCategory[]>('categories.json'),
  articles: load<SeedArticle[]>('articles.json'),
});
export const qualityQueries = () => load<QualityQuery[]>('queries.json');
export const AUTHOR = { userId: 'u-author' };
export const REVIEWER = { userId: 'u-reviewer' };
