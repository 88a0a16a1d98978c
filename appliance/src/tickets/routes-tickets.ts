import { createRoute, z } from '@hono/zod-openapi';
import {
  createRouter,
  cursorAfter,
  NextCursor,
  PageQuery,
  pageOf,
  requirePermission,
} from '../http/index.ts';
import type { TicketService } from './facade.ts';
import {
  actorOf,
  body,
  created,
  defined,
  IdParam,
  itemWriteRoute,
  json,
  ok,
  readItemRoute,
} from './route-util.ts';
import {
  AssignIn,
  AttachmentIn,
  FromContactIn,
  LinkIn,
  ListQuery,
  MergeIn,
  NoteIn,
  SplitIn,
  TicketIn,
  TicketPatchIn,
  TransitionIn,
} from './schemas.ts';

const write = [requirePermission('tickets.write')];

const TicketPage = z.object({
  tickets: z.array(z.record(z.string(), z.unknown())),
  /** Pass as `cursor` for the next page; absent on the last one. */
  nextCursor: NextCursor,
});

/** A cursor only resumes the listing (same filters) that gave it out. */
const scopeOf = (f: Record<string, string | undefined>) =>
  `tickets?${['state', 'assigneeId', 'departmentId', 'customerId', 'contactId'].map((k) => `${k}=${f[k] ?? ''}`).join('&')}`;

/** `/tickets…`: agents' ticket API (tickets.read to read, tickets.write to change). */
export function ticketRoutes(service: TicketService) {
  const app = createRouter();
  app.use('/tickets', requirePermission('tickets.read'));
  app.use('/tickets/*', requirePermission('tickets.read'));

  const list = createRoute({
    method: 'get',
    path: '/tickets',
    summary: 'List tickets, newest first, a page at a time (limit ≤ 200; cursor from nextCursor)',
    request: { query: ListQuery.extend(PageQuery.shape) },
    responses: { 200: json(TicketPage, 'A page of tickets (descriptions left out)') },
  });
  app.openapi(list, async (c) => {
    const { limit, cursor, ...filter } = c.req.valid('query');
    const scope = scopeOf(filter);
    const res = await service.page(defined(filter), pageOf({ limit, cursor }, scope));
    const nextCursor = cursorAfter(scope, res.last);
    return c.json(
      {
        tickets: res.tickets as unknown as Array<Record<string, unknown>>,
        ...(nextCursor ? { nextCursor } : {}),
      },
      200,
    );
  });

  const create = createRoute({
    method: 'post',
    path: '/tickets',
    summary: 'Create a ticket',
    middleware: write,
    request: body(TicketIn),
    responses: created,
  });
  app.openapi(create, async (c) =>
    c.json(await service.lifecycle.create(defined(c.req.valid('json')), actorOf(c)), 201),
  );

  const fromContact = createRoute({
    method: 'post',
    path: '/tickets/from-contact',
    summary: 'Create a ticket from a live contact (customer, conversation, language filled in)',
    middleware: write,
    request: body(FromContactIn),
    responses: created,
  });
  app.openapi(fromContact, async (c) => {
    const { contactId, ...rest } = c.req.valid('json');
    return c.json(await service.createFromContact(contactId, defined(rest), actorOf(c)), 201);
  });

  const get = readItemRoute(
    '/tickets/{id}',
    'Ticket with notes, attachments, history and workflow (audited read)',
  );
  app.openapi(get, async (c) => c.json(await service.view(c.req.valid('param').id, actorOf(c)), 200));

  const patch = itemWriteRoute('/tickets/{id}', {
    method: 'patch',
    summary: 'Edit subject, description, priority, tags, fields',
    body: TicketPatchIn,
    guard: write,
    responses: ok,
  });
  app.openapi(patch, async (c) =>
    c.json(
      await service.lifecycle.update(c.req.valid('param').id, defined(c.req.valid('json')), actorOf(c)),
      200,
    ),
  );

  const transition = itemWriteRoute('/tickets/{id}/transitions', {
    summary: 'Move to another state; guards may refuse with TICKETS_TRANSITION_REFUSED (422)',
    body: TransitionIn,
    guard: write,
    responses: ok,
  });
  app.openapi(transition, async (c) => {
    const { to, fields } = c.req.valid('json');
    return c.json(
      await service.lifecycle.transition(c.req.valid('param').id, to, actorOf(c), fields ? { fields } : {}),
      200,
    );
  });

  const assign = itemWriteRoute('/tickets/{id}/assign', {
    summary: 'Assign to a user, or round-robin within a department',
    body: AssignIn,
    guard: write,
    responses: ok,
  });
  app.openapi(assign, async (c) =>
    c.json(
      await service.lifecycle.assign(c.req.valid('param').id, defined(c.req.valid('json')), actorOf(c)),
      200,
    ),
  );

  const note = itemWriteRoute('/tickets/{id}/notes', {
    summary: 'Add an internal note or a reply to the customer',
    body: NoteIn,
    guard: write,
    responses: created,
  });
  app.openapi(note, async (c) =>
    c.json(await service.notes.add(c.req.valid('param').id, defined(c.req.valid('json')), actorOf(c)), 201),
  );

  const link = itemWriteRoute('/tickets/{id}/links', {
    summary: 'Link a conversation or contact',
    body: LinkIn,
    guard: write,
    responses: ok,
  });
  app.openapi(link, async (c) =>
    c.json(
      await service.lifecycle.link(c.req.valid('param').id, defined(c.req.valid('json')), actorOf(c)),
      200,
    ),
  );

  const attach = itemWriteRoute('/tickets/{id}/attachments', {
    summary: 'Attach a file (encrypted at rest, size-limited)',
    body: AttachmentIn,
    guard: write,
    responses: created,
  });
  app.openapi(attach, async (c) => {
    const { name, mime, dataBase64 } = c.req.valid('json');
    const data = new Uint8Array(Buffer.from(dataBase64, 'base64'));
    return c.json(await service.notes.attach(c.req.valid('param').id, { name, mime, data }, actorOf(c)), 201);
  });

  const file = createRoute({
    method: 'get',
    path: '/tickets/{id}/attachments/{attachmentId}',
    summary: 'Download an attachment',
    request: { params: IdParam.extend({ attachmentId: z.string().min(1).max(64) }) },
    responses: { 200: { description: 'File bytes' } },
  });
  app.openapi(file, async (c) => {
    const { id, attachmentId } = c.req.valid('param');
    await service.get(id, actorOf(c));
    const f = await service.notes.file(id, attachmentId);
    return c.body(
      f.data.buffer.slice(f.data.byteOffset, f.data.byteOffset + f.data.byteLength) as ArrayBuffer,
      200,
      {
        'content-type': 'application/octet-stream',
        'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(f.name)}`,
      },
    );
  });

  const merge = itemWriteRoute('/tickets/{id}/merge', {
    summary: 'Merge this ticket into another (this one closes with a link)',
    body: MergeIn,
    guard: write,
    responses: ok,
  });
  app.openapi(merge, async (c) =>
    c.json(
      await service.merger.merge(c.req.valid('param').id, c.req.valid('json').intoTicketId, actorOf(c)),
      200,
    ),
  );

  const split = itemWriteRoute('/tickets/{id}/split', {
    summary: 'New ticket from selected notes',
    body: SplitIn,
    guard: write,
    responses: created,
  });
  app.openapi(split, async (c) => {
    const { noteIds, subject } = c.req.valid('json');
    return c.json(
      await service.merger.split(c.req.valid('param').id, noteIds, subject ? { subject } : {}, actorOf(c)),
      201,
    );
  });

  const history = readItemRoute('/tickets/{id}/history', 'Every change to the ticket');
  app.openapi(history, async (c) => c.json({ history: await service.history(c.req.valid('param').id) }, 200));
  return app;
}
