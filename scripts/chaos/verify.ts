// After the storm: every acknowledged item is found exactly once through the
// API; unacknowledged ones at most once; mail attachments are either on their
// message or in the admin's quarantine list.
import type { Acked, Ledger } from './ledger.ts';
import type { ChaosSession } from './session.ts';

interface StoredMessage {
  id: string;
  contactId: string;
  channel: string;
  direction: string;
  text?: string;
  at?: string;
  externalId?: string;
  meta?: Record<string, string>;
  attachments?: Array<{ name: string }>;
  blockedAttachments?: Array<{ name: string }>;
}

export interface Finding {
  kind: Acked['kind'];
  scenario: string;
  key: string;
  found: number;
  note?: string;
}

export interface Verdict {
  lost: Finding[];
  duplicated: Finding[];
  contacts: number;
  messages: number;
}

async function must(session: ChaosSession, path: string) {
  const r = await session.request('GET', path);
  if (r?.status !== 200)
    throw new Error(`GET ${path} answered ${r?.status ?? 'nothing'}: ${JSON.stringify(r?.json)}`);
  return r.json;
}

/** Every ticket, page by page (the list answers at most 200 per page, with a cursor for the next). */
async function allTickets(session: ChaosSession): Promise<Array<{ subject: string }>> {
  const out: Array<{ subject: string }> = [];
  let cursor: string | undefined;
  do {
    const page = await must(
      session,
      `/api/tickets?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    out.push(...(page['tickets'] as Array<{ subject: string }>));
    cursor = typeof page['nextCursor'] === 'string' ? page['nextCursor'] : undefined;
  } while (cursor);
  return out;
}

export async function verify(session: ChaosSession, ledger: Ledger): Promise<Verdict> {
  const contacts = (await must(session, '/api/contacts?scope=all'))['contacts'] as Array<{
    id: string;
    channel: string;
    customerId: string;
    conversationId: string;
  }>;
  // A contact shows its conversation's messages; contacts sharing a conversation show the same ones.
  const byId = new Map<string, StoredMessage>();
  const seen = new Set<string>();
  for (const c of contacts) {
    if (seen.has(c.conversationId)) continue;
    seen.add(c.conversationId);
    const view = await must(session, `/api/contacts/${c.id}`);
    for (const m of view['messages'] as StoredMessage[]) if (m.direction === 'in') byId.set(m.id, m);
  }
  const messages = [...byId.values()];
  const tickets = await allTickets(session);
  const quarantine = (await must(session, '/api/quarantine/attachments'))['attachments'] as Array<{
    messageId: string;
    name: string;
  }>;

  const lost: Finding[] = [];
  const duplicated: Finding[] = [];
  const judge = (a: Acked, found: number, note?: string) => {
    const f: Finding = { kind: a.kind, scenario: a.scenario, key: a.key, found, ...(note ? { note } : {}) };
    if (found === 0 && !a.optional) lost.push(f);
    if (found > 1) duplicated.push(f);
  };

  for (const a of ledger.acked) {
    if (a.kind === 'message') {
      const hits = messages.filter((m) => m.channel === a.channel && (m.text ?? '').includes(a.key));
      judge(
        a,
        hits.length,
        hits.length > 1 ? hits.map((m) => `${m.id} ${m.externalId ?? '-'} ${m.at}`).join(' | ') : undefined,
      );
    } else if (a.kind === 'mail') {
      const key = a.key.toLowerCase();
      const t = key.slice(1, key.indexOf('@'));
      let hits = messages.filter((m) => m.channel === 'email' && m.externalId?.toLowerCase() === key);
      if (hits.length === 0) {
        hits = messages.filter(
          (m) =>
            m.channel === 'email' &&
            ((m.text ?? '').toLowerCase().includes(t) ||
              (m.meta?.['subject'] ?? '').toLowerCase().includes(t)),
        );
      }
      judge(
        a,
        hits.length,
        hits.length > 1 || (hits.length && !hits.some((m) => m.externalId))
          ? `by ${hits.some((m) => m.externalId?.toLowerCase() === key) ? 'Message-ID' : 'token'}: ${hits.map((m) => `${m.id} ${m.contactId} ${m.externalId ?? '-'}`).join(' | ')}`
          : undefined,
      );
      const m = hits[0];
      if (!m || a.optional) continue;
      for (const name of a.files ?? []) {
        const stored = m.attachments?.some((x) => x.name === name);
        const blocked = m.blockedAttachments?.some((x) => x.name === name);
        const visible = quarantine.some((q) => q.messageId === m.id && q.name === name);
        if (!stored && !(blocked && visible)) {
          lost.push({
            kind: 'mail',
            scenario: a.scenario,
            key: `${a.key} ${name}`,
            found: 0,
            note: blocked
              ? 'blocked but not in the admin quarantine list'
              : 'attachment neither stored nor quarantined',
          });
        }
      }
    } else if (a.kind === 'ticket') {
      judge(a, tickets.filter((t) => t.subject === a.key).length);
    } else if (a.kind === 'customer') {
      const r = await session.request('GET', `/api/customers/${a.key}`);
      if (!r || (r.status !== 200 && r.status !== 404)) throw new Error(`GET customer answered ${r?.status}`);
      judge(a, r.status === 200 ? 1 : 0);
    } else if (a.kind === 'call') {
      const r = await must(session, `/api/customers?phone=${encodeURIComponent(a.key)}`);
      const ids = new Set((r['customers'] as Array<{ id: string }>).map((c) => c.id));
      const calls = contacts.filter((c) => c.channel === 'voice' && ids.has(c.customerId));
      judge(a, calls.length, ids.size > 1 ? `${ids.size} customers for one caller-ID` : undefined);
    }
  }
  return { lost, duplicated, contacts: contacts.length, messages: messages.length };
}
