import { randomUUID } from 'node:crypto';
import { actorOpts, type TicketCore } from './core.ts';
import { notFound, TicketsError } from './errors.ts';
import type { CustomerNotifier } from './notify.ts';
import type { AttachmentMeta, TicketActor, TicketNote } from './types.ts';

/** Internal notes, replies to the customer, and encrypted attachments. */
export class TicketNotes {
  #core: TicketCore;
  #notifier: CustomerNotifier;
  #maxBytes: number;

  constructor(core: TicketCore, options: { notifier: CustomerNotifier; maxAttachmentBytes: number }) {
    this.#core = core;
    this.#notifier = options.notifier;
    this.#maxBytes = options.maxAttachmentBytes;
  }

  /** An internal note, or (`kind: 'reply'`) a message also sent to the customer that stops the response clocks. */
  async add(
    ticketId: string,
    input: { text: string; kind?: TicketNote['kind'] },
    actor: TicketActor,
  ): Promise<TicketNote & { delivered?: boolean }> {
    const core = this.#core;
    const ticket = await core.load(ticketId);
    const at = core.now().toISOString();
    const note: TicketNote = {
      id: `${at}-${randomUUID().slice(0, 8)}`,
      ticketId,
      author: actor.userId,
      text: input.text,
      kind: input.kind ?? 'internal',
      at,
    };
    await core.repo.putNote({ ...note, ...(ticket.customerId ? { customerId: ticket.customerId } : {}) });
    await core.mutate(
      ticketId,
      actor,
      note.kind === 'reply' ? 'replied' : 'note_added',
      (t) => {
        if (note.kind !== 'reply') return;
        t.firstRespondedAt ??= at;
        if (t.sla) {
          const { first_response: _f, next_response: _n, ...due } = t.sla.due;
          t.sla = { ...t.sla, due };
        }
      },
      { note: { to: note.id } },
    );
    await core.bus.publish(
      'ticket.note_added',
      { ticketId, noteId: note.id, kind: note.kind },
      actorOpts(actor),
    );
    if (note.kind !== 'reply') return note;
    const delivered = await this.#notifier.notify(ticket, 'reply', { actor: actor.userId, text: input.text });
    return { ...note, delivered };
  }

  list(ticketId: string): Promise<TicketNote[]> {
    return this.#core.repo.notes(ticketId);
  }

  async attach(
    ticketId: string,
    file: { name: string; mime: string; data: Uint8Array },
    actor: TicketActor,
  ): Promise<AttachmentMeta> {
    if (file.data.byteLength > this.#maxBytes) {
      throw new TicketsError('TICKETS_ATTACHMENT_TOO_LARGE', `Attachment exceeds ${this.#maxBytes} bytes`, {
        status: 413,
        details: { maxBytes: this.#maxBytes, bytes: file.data.byteLength },
      });
    }
    const core = this.#core;
    const ticket = await core.load(ticketId);
    const meta: AttachmentMeta = {
      id: randomUUID(),
      ticketId,
      name: file.name,
      mime: file.mime,
      bytes: file.data.byteLength,
      author: actor.userId,
      at: core.now().toISOString(),
    };
    await core.repo.putAttachment({
      ...meta,
      data: Buffer.from(file.data).toString('base64'),
      ...(ticket.customerId ? { customerId: ticket.customerId } : {}),
    });
    await core.record(ticketId, actor, 'attachment_added', {
      attachment: { to: { id: meta.id, name: meta.name } },
    });
    await core.bus.publish(
      'ticket.attachment_added',
      { ticketId, attachmentId: meta.id, bytes: meta.bytes },
      actorOpts(actor),
    );
    return meta;
  }

  async file(ticketId: string, attachmentId: string): Promise<AttachmentMeta & { data: Uint8Array }> {
    const doc = await this.#core.repo.attachment(ticketId, attachmentId);
    if (!doc) throw notFound('attachment', attachmentId);
    const { customerId: _c, data, ...meta } = doc;
    return { ...meta, data: new Uint8Array(Buffer.from(data, 'base64')) };
  }
}
