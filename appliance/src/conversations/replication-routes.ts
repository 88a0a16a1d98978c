import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { BadInputError } from '../contracts/index.ts';
import { actorOf, type CustomerService, customerView } from '../customers/index.ts';
import { type AppEnv, createRouter, principalOf, requirePermission } from '../http/index.ts';
import type { ConversationService } from './service.ts';
import type { Contact } from './types.ts';

type Read = (read: { actor: string; target: string; source?: string; action?: string }) => Promise<void>;

const PREVIEW_CHARS = 80;

/** One row of the console's `contacts` RxDB collection. */
const ContactDoc = z.object({
  id: z.string(),
  channel: z.string(),
  state: z.string(),
  agentId: z.string().optional(),
  customerName: z.string().optional(),
  preview: z.string().optional(),
  updatedAt: z.string(),
  _deleted: z.boolean(),
});
type ContactDoc = z.infer<typeof ContactDoc>;
const Checkpoint = z.object({ updatedAt: z.string(), id: z.string() });
type Checkpoint = z.infer<typeof Checkpoint>;

const after = (d: Checkpoint, cp: Checkpoint | undefined) =>
  !cp || d.updatedAt > cp.updatedAt || (d.updatedAt === cp.updatedAt && d.id > cp.id);

function parseCheckpoint(raw: string | undefined): Checkpoint | undefined {
  if (!raw) return undefined;
  const comma = raw.indexOf(',');
  if (comma < 1)
    throw new BadInputError('CONVERSATIONS_INVALID_CHECKPOINT', 'checkpoint must be "<updatedAt>,<id>"');
  return { updatedAt: raw.slice(0, comma), id: raw.slice(comma + 1) };
}

/**
 * GET /replication/contacts: the pull side of RxDB's HTTP replication for the
 * console's working set. Documents are ordered by (updatedAt, id) and paged by
 * that checkpoint. A contact's `updatedAt` here is the later of its own change
 * and its last message, so a new inbound message moves it past the checkpoint.
 *
 * Agents (scope mine) get their own contacts in full; a contact that changed
 * but is no longer theirs (requeued, reassigned) comes as a bare tombstone
 * (id, updatedAt, `_deleted`) so a stale local copy leaves their list. There
 * is no push endpoint: writes go through the normal contact APIs, which keep
 * their validation, locking and events.
 */
export function replicationRoutes(
  conversations: ConversationService,
  options: { customers: CustomerService; recordRead: Read },
) {
  const app = createRouter();
  app.openapi(
    createRoute({
      method: 'get',
      path: '/replication/contacts',
      summary: 'RxDB pull: contacts after a checkpoint "<updatedAt>,<id>" (scope=all needs contacts.monitor)',
      middleware: [requirePermission('contacts.handle')] as const,
      request: {
        query: z.object({
          checkpoint: z.string().max(200).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(50),
          scope: z.enum(['mine', 'all']).default('mine'),
        }),
      },
      responses: {
        200: {
          content: {
            'application/json': {
              schema: z.object({ documents: z.array(ContactDoc), checkpoint: Checkpoint.nullable() }),
            },
          },
          description: 'A page of documents and the checkpoint to ask from next',
        },
      },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const cp = parseCheckpoint(q.checkpoint);
      const p = principalOf(c);
      const all = q.scope === 'all' && p.permissions.has('contacts.monitor');
      const contacts = await conversations.listContacts();
      const stamped = await Promise.all(
        contacts.map(async (k) => ({ k, ...(await stamp(conversations, k)) })),
      );
      const page = stamped
        .filter((s) => after({ updatedAt: s.updatedAt, id: s.k.id }, cp))
        .sort((a, b) => (a.updatedAt === b.updatedAt ? cmp(a.k.id, b.k.id) : cmp(a.updatedAt, b.updatedAt)))
        .slice(0, q.limit);
      await options.recordRead({
        actor: p.userId,
        target: `contacts:${all ? 'all' : p.userId}`,
        action: 'contacts.replicate',
        source: c.get('clientIp'),
      });
      const names = new Map<string, Promise<string | undefined>>();
      const nameOf = (id: string) => {
        if (!names.has(id)) names.set(id, customerName(c, options.customers, id));
        return names.get(id) as Promise<string | undefined>;
      };
      const documents = await Promise.all(
        page.map(async (s): Promise<ContactDoc> => {
          if (!all && s.k.agentId !== p.userId) return { ...tombstone(s.k), updatedAt: s.updatedAt };
          const name = await nameOf(s.k.customerId);
          return {
            id: s.k.id,
            channel: s.k.channel,
            state: s.k.state,
            ...(s.k.agentId ? { agentId: s.k.agentId } : {}),
            ...(name ? { customerName: name } : {}),
            ...(s.preview ? { preview: s.preview } : {}),
            updatedAt: s.updatedAt,
            _deleted: false,
          };
        }),
      );
      const last = page.at(-1);
      const next = last ? { updatedAt: last.updatedAt, id: last.k.id } : (cp ?? null);
      return c.json({ documents, checkpoint: next }, 200);
    },
  );
  return app;
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

const tombstone = (k: Contact) => ({ id: k.id, channel: k.channel, state: k.state, _deleted: true });

/** The later of the contact's change and its last customer/agent message, and that message's opening. */
async function stamp(conversations: ConversationService, k: Contact) {
  const own = (await conversations.messagesOf(k.conversationId)).filter(
    (m) => m.contactId === k.id && m.direction !== 'internal',
  );
  const last = own.at(-1);
  const updatedAt = last && last.at > k.updatedAt ? last.at : k.updatedAt;
  return { updatedAt, preview: last?.text.slice(0, PREVIEW_CHARS) };
}

/** The name as GET /customers/{id} shows it to this caller; each customer read is audited there. */
async function customerName(
  c: Context<AppEnv>,
  customers: CustomerService,
  id: string,
): Promise<string | undefined> {
  try {
    const view = customerView(c, await customers.get(id, actorOf(c), 'inbox'));
    return typeof view.name === 'string' && view.name ? view.name : undefined;
  } catch {
    // a shredded or merged-away customer leaves the row nameless rather than failing the page
    return undefined;
  }
}
