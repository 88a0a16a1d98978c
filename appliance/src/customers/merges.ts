import { randomUUID } from 'node:crypto';
import { OutOfRangeError } from '../contracts/index.ts';
import type { EventBus, PublishOptions } from '../events/index.ts';
import type { DocStore } from '../storage/index.ts';
import { type CustomerDoc, docId, handlesIn } from './doc.ts';
import { CustomersError } from './errors.ts';
import { type HandleIndexDoc, handleKey, pointHandle } from './handles.ts';
import type { BlindIndexer } from './types.ts';

/** What a merge moved, by index key only (no plaintext), so it can be undone exactly. */
interface MergeDoc {
  type: 'merge';
  sourceId: string;
  targetId: string;
  moved: string[];
  at: string;
  undoneAt?: string;
}

const mergeId = (id: string) => `merge:${id}`;

function notFound(id: string): CustomersError {
  return new CustomersError('CUSTOMERS_NOT_FOUND', `No customer [id:${id}]`, { status: 404 });
}

/**
 * Explicit, reversible merges. Conversations keep their original customer id;
 * the 360 of a target includes its merged-in sources, so undoing a merge never
 * rewrites history.
 */
export class Merges {
  #store: DocStore;
  #index: BlindIndexer;
  #bus: EventBus;
  #now: () => Date;

  constructor(store: DocStore, o: { index: BlindIndexer; bus: EventBus; now: () => Date }) {
    this.#store = store;
    this.#index = o.index;
    this.#bus = o.bus;
    this.#now = o.now;
  }

  async merge(sourceId: string, targetId: string, by: PublishOptions): Promise<{ mergeId: string }> {
    if (sourceId === targetId)
      throw new OutOfRangeError('CUSTOMERS_MERGE_SELF', 'Cannot merge a customer into itself');
    const source = await this.#store.get<CustomerDoc>(docId(sourceId));
    const target = await this.#store.get<CustomerDoc>(docId(targetId));
    if (!source) throw notFound(sourceId);
    if (!target) throw notFound(targetId);
    if (source.mergedInto || target.mergedInto) {
      throw new CustomersError('CUSTOMERS_ALREADY_MERGED', 'Customer is already merged', { status: 409 });
    }
    const at = this.#now().toISOString();
    const moving = handlesIn(source);
    const targetHandles = handlesIn(target);
    const moved: string[] = [];
    for (const h of moving) {
      const key = handleKey(this.#index, h);
      const idx = await this.#store.get<HandleIndexDoc>(key);
      if (idx?.customerId !== sourceId) continue;
      await pointHandle(this.#store, key, { customerId: targetId });
      moved.push(key);
      if (!targetHandles.some((x) => x.kind === h.kind && x.value === h.value)) targetHandles.push(h);
    }
    const id = randomUUID();
    await this.#store.create<MergeDoc>({ _id: mergeId(id), type: 'merge', sourceId, targetId, moved, at });
    await this.#store.put({ ...target, handleList: JSON.stringify(targetHandles), updatedAt: at });
    await this.#store.put({ ...source, mergedInto: targetId, updatedAt: at });
    await this.#bus.publish(
      'customer.merged',
      { mergeId: id, sourceId, targetId, handles: moved.length },
      by,
    );
    return { mergeId: id };
  }

  async unmerge(id: string, by: PublishOptions): Promise<void> {
    const m = await this.#store.get<MergeDoc>(mergeId(id));
    if (!m) throw new CustomersError('CUSTOMERS_MERGE_NOT_FOUND', `No merge [id:${id}]`, { status: 404 });
    if (m.undoneAt)
      throw new CustomersError('CUSTOMERS_ALREADY_UNMERGED', 'Merge already undone', { status: 409 });
    const source = await this.#store.get<CustomerDoc>(docId(m.sourceId));
    const target = await this.#store.get<CustomerDoc>(docId(m.targetId));
    if (!source) throw notFound(m.sourceId);
    if (!target) throw notFound(m.targetId);
    const at = this.#now().toISOString();
    const moved = new Set(m.moved);
    for (const key of moved) {
      const idx = await this.#store.get<HandleIndexDoc>(key);
      if (idx?.customerId === m.targetId) await pointHandle(this.#store, key, { customerId: m.sourceId });
    }
    const kept = handlesIn(target).filter((h) => !moved.has(handleKey(this.#index, h)));
    await this.#store.put({ ...target, handleList: JSON.stringify(kept), updatedAt: at });
    const { mergedInto: _gone, ...rest } = source;
    await this.#store.put({ ...rest, updatedAt: at });
    await this.#store.put({ ...m, undoneAt: at });
    await this.#bus.publish(
      'customer.unmerged',
      { mergeId: id, sourceId: m.sourceId, targetId: m.targetId, handles: moved.size },
      by,
    );
  }

  async sourcesOf(customerId: string): Promise<string[]> {
    const all = (await this.#store.list<MergeDoc>({ prefix: 'merge:' })).filter((m) => !m.undoneAt);
    const out: string[] = [];
    const walk = (id: string, depth: number) => {
      if (depth > 8) return;
      for (const m of all) {
        if (m.targetId === id && !out.includes(m.sourceId)) {
          out.push(m.sourceId);
          walk(m.sourceId, depth + 1);
        }
      }
    };
    walk(customerId, 0);
    return out;
  }
}
