import type { PouchDoc } from '../../../sync/src/index.ts';
import type { KbContent, KbLocale, KnowledgeService } from '../knowledge/index.ts';
import { createLogger } from '../logging/index.ts';
import type { RoutingService } from '../routing/index.ts';

const log = createLogger('sync-bridge');

/** HQ authors and approves centrally; two ids because an author may not approve their own version. */
export const HQ_AUTHOR = { userId: 'hq', source: 'hq-sync' };
const HQ_REVIEWER = { userId: 'hq-review', source: 'hq-sync' };

/**
 * HQ content docs in the inbound database:
 * - `{ type: 'kb_article', articleId, locale, title, body, category, tags, visibility, categoryName? }`
 * - `{ type: 'routing_policy', kind: 'queue'|'skill'|'workflow'|'calendar'|'reasons', value, deleted? }`
 */
export interface InboundTargets {
  knowledge?: Pick<
    KnowledgeService,
    'get' | 'create' | 'edit' | 'submit' | 'approve' | 'reject' | 'listCategories' | 'createCategory'
  >;
  routing?: Pick<
    RoutingService,
    'config' | 'putQueue' | 'putSkill' | 'putWorkflow' | 'putCalendar' | 'putReasonCodes' | 'removeConfig'
  >;
}

const CONTENT = ['title', 'body', 'category', 'tags', 'visibility'] as const;

function contentOf(doc: PouchDoc): KbContent {
  const { title, body, category, tags, visibility } = doc as unknown as KbContent;
  if (typeof title !== 'string' || typeof body !== 'string' || typeof category !== 'string')
    throw new TypeError(`HQ article ${doc._id} lacks title, body or category`);
  return {
    title,
    body,
    category,
    tags: Array.isArray(tags) ? tags.map(String) : [],
    visibility: visibility === 'public' ? 'public' : 'internal',
  };
}

/**
 * Publishes an HQ article through the normal review path (author 'hq',
 * approver 'hq-review'). Returns false when the published version already
 * matches (idempotent on re-delivery and restart).
 */
export async function applyKbArticle(
  knowledge: NonNullable<InboundTargets['knowledge']>,
  doc: PouchDoc,
): Promise<boolean> {
  const id = String(doc['articleId'] ?? doc._id.replace(/^kb:/, ''));
  const content = contentOf(doc);
  const known = new Set((await knowledge.listCategories()).map((c) => c.id));
  if (!known.has(content.category)) {
    const name = String(doc['categoryName'] ?? content.category);
    await knowledge.createCategory({ id: content.category, name: { 'zh-CN': name, en: name } }, HQ_AUTHOR);
  }
  const current = await knowledge.get(id).catch(() => undefined);
  if (!current) {
    const locale: KbLocale = doc['locale'] === 'en' ? 'en' : 'zh-CN';
    await knowledge.create({ ...content, id, locale }, HQ_AUTHOR);
  } else {
    const v = current.version;
    const same = CONTENT.every((k) => JSON.stringify(v[k]) === JSON.stringify(content[k]));
    if (same && v.status === 'published') return false;
    // HQ-managed articles are HQ's: a local version in review goes back to draft and is overwritten.
    if (v.status === 'in_review') await knowledge.reject(id, HQ_REVIEWER, { comment: 'superseded by HQ' });
    await knowledge.edit(id, content, HQ_AUTHOR);
  }
  await knowledge.submit(id, HQ_AUTHOR);
  await knowledge.approve(id, HQ_REVIEWER);
  return true;
}

/** Applies one HQ routing policy doc through the routing service's validated config methods. */
export async function applyRoutingPolicy(
  routing: NonNullable<InboundTargets['routing']>,
  doc: PouchDoc,
): Promise<void> {
  const kind = doc['kind'];
  const value = doc['value'] as Record<string, unknown> & { id: string };
  const cfg = routing.config();
  if (kind === 'reasons') {
    const codes = (doc['value'] as unknown[]).map(String);
    if (JSON.stringify(codes) !== JSON.stringify(cfg.reasonCodes)) await routing.putReasonCodes(codes, 'hq');
    return;
  }
  if (kind !== 'queue' && kind !== 'skill' && kind !== 'workflow' && kind !== 'calendar')
    throw new TypeError(`Unknown routing policy kind ${String(kind)} in ${doc._id}`);
  const list = cfg[`${kind}s`] as Array<{ id: string }>;
  const id = String(doc['id'] ?? value?.id);
  const have = list.find((x) => x.id === id);
  if (doc['deleted'] === true) {
    if (have) await routing.removeConfig(kind, id, 'hq');
    return;
  }
  if (typeof value?.id !== 'string') throw new TypeError(`Routing policy ${doc._id} has no value.id`);
  // Re-delivery and restarts re-read the inbound db: unchanged policies are not re-applied.
  if (have && JSON.stringify(have) === JSON.stringify(value)) return;
  const put = {
    queue: routing.putQueue,
    skill: routing.putSkill,
    workflow: routing.putWorkflow,
    calendar: routing.putCalendar,
  }[kind] as (v: unknown, actor: string) => Promise<void>;
  await put.call(routing, value, 'hq');
}

/** Routes a pulled doc to its target; true when it was HQ content (applied or refused and logged). */
export async function applyHqContent(targets: InboundTargets, doc: PouchDoc): Promise<boolean> {
  try {
    if (doc['type'] === 'kb_article' && targets.knowledge) {
      await applyKbArticle(targets.knowledge, doc);
      return true;
    }
    if (doc['type'] === 'routing_policy' && targets.routing) {
      await applyRoutingPolicy(targets.routing, doc);
      return true;
    }
  } catch (err) {
    // One bad HQ doc must not stop the freezes and policies behind it.
    log.error(`HQ content refused [id:${doc._id}]`, { err });
    return true;
  }
  return false;
}
