import type { WidgetFileLimits, WidgetLook, WidgetQueueInfo } from '../../contracts/index.ts';
import type { AttachmentInput, ConversationService, Message } from '../../conversations/index.ts';
import type { CustomerService } from '../../customers/index.ts';
import type { EventBus } from '../../events/index.ts';
import { createLogger } from '../../logging/index.ts';
import { WebchatError } from './errors.ts';
import type { ClientFrame, FileRef, ServerFrame } from './frames.ts';
import type { WebchatLog } from './log-store.ts';
import type { Uploads } from './uploads.ts';

const log = createLogger('webchat');

/** One open widget connection, as the hub sees it. */
export interface Peer {
  send(frame: ServerFrame): void;
}

interface Visitor {
  vid: string;
  lastSeq: number;
  peers: Set<Peer>;
  chain: Promise<unknown>;
  typingAt: number;
}

/**
 * The web chat's server side: one ordered stream per visitor. Every message
 * in either direction gets the next sequence number; a reconnecting widget
 * resumes after the last number it saw, and a resent client id is answered
 * with the message already stored. All of a visitor's work runs in one chain,
 * so replay and live delivery never interleave.
 */
export class WebchatHub {
  #visitors = new Map<string, Visitor>();
  #log: WebchatLog;
  #conversations: ConversationService;
  #customers: CustomerService;
  #bus: EventBus;
  #uploads: Uploads;
  #isOpen: () => Promise<boolean>;
  #look: () => WidgetLook | undefined;
  #position: (contactId: string) => WidgetQueueInfo | undefined;
  #files: WidgetFileLimits | undefined;
  /** Chats waiting for an agent (contact id → visitor) and the queue frame each was last sent. */
  #waiting = new Map<string, { vid: string; last: string }>();

  constructor(
    log: WebchatLog,
    o: {
      conversations: ConversationService;
      customers: CustomerService;
      bus: EventBus;
      uploads: Uploads;
      isOpen: () => Promise<boolean>;
      /** The look saved in the console (greeting, colour, privacy notice), sent with every welcome. */
      look?: () => WidgetLook | undefined;
      /** Routing's position and estimated wait for a waiting contact (undefined: not in a queue). */
      position?: (contactId: string) => WidgetQueueInfo | undefined;
      /** What the upload endpoint accepts, told to the widget at welcome. */
      files?: WidgetFileLimits;
    },
  ) {
    this.#log = log;
    this.#conversations = o.conversations;
    this.#customers = o.customers;
    this.#bus = o.bus;
    this.#uploads = o.uploads;
    this.#isOpen = o.isOpen;
    this.#look = o.look ?? (() => undefined);
    this.#position = o.position ?? (() => undefined);
    this.#files = o.files;
  }

  /** A web chat contact changed state: it waits (queued, offered) or no longer does. */
  contactState(contactId: string, vid: string, state: string): void {
    if (state === 'queued' || state === 'offered') {
      if (!this.#waiting.has(contactId)) this.#waiting.set(contactId, { vid, last: '' });
      this.refreshQueue();
    } else this.#waiting.delete(contactId);
  }

  /** Recomputes every waiting chat's place and pushes a queue frame to those whose place or estimate changed. */
  refreshQueue(): void {
    for (const [contactId, w] of this.#waiting) this.#pushQueue(contactId, w);
  }

  #pushQueue(contactId: string, w: { vid: string; last: string }, peer?: Peer): void {
    const q = this.#position(contactId);
    if (!q) return;
    const key = `${q.position}:${q.ewtSeconds}`;
    const frame: ServerFrame = { t: 'queue', position: q.position, ewtSeconds: q.ewtSeconds };
    if (peer) peer.send(frame);
    else if (key !== w.last) this.push(w.vid, frame);
    w.last = key;
  }

  async #visitor(vid: string): Promise<Visitor> {
    let v = this.#visitors.get(vid);
    if (!v) {
      v = { vid, lastSeq: 0, peers: new Set(), chain: Promise.resolve(), typingAt: 0 };
      this.#visitors.set(vid, v);
      const loaded = v;
      loaded.chain = this.#log.lastSeq(vid).then((n) => {
        loaded.lastSeq = n;
      });
    }
    return v;
  }

  /** Runs `fn` after everything already queued for this visitor. */
  async #serial<T>(vid: string, fn: (v: Visitor) => Promise<T>): Promise<T> {
    const v = await this.#visitor(vid);
    const run = v.chain.then(
      () => fn(v),
      () => fn(v),
    );
    v.chain = run.catch(() => undefined);
    return run;
  }

  /** Handles one validated frame from `peer`, whose visitor id was set by hello. */
  async handle(vid: string, peer: Peer, frame: ClientFrame): Promise<void> {
    switch (frame.t) {
      case 'hello':
        return this.#serial(vid, async (v) => {
          v.peers.add(peer);
          const visitor = await this.#log.visitor(vid);
          const contact = visitor.contactId
            ? await this.#conversations.getContact(visitor.contactId).catch(() => undefined)
            : undefined;
          const look = this.#look();
          peer.send({
            t: 'welcome',
            open: await this.#isOpen(),
            lastSeq: v.lastSeq,
            ...(contact ? { contactState: contact.state } : {}),
            ...(look ? { look } : {}),
            ...(this.#files ? { files: this.#files } : {}),
            ...(contact && contact.attributes['csat'] !== undefined ? { rated: true } : {}),
          });
          if (contact && (contact.state === 'queued' || contact.state === 'offered')) {
            const w = this.#waiting.get(contact.id) ?? { vid, last: '' };
            this.#waiting.set(contact.id, w);
            this.#pushQueue(contact.id, w, peer);
          }
          let from = Math.min(frame.lastSeq, v.lastSeq);
          for (;;) {
            const batch = await this.#log.after(vid, from);
            for (const e of batch) {
              const m = await this.#conversations.getMessage(e.messageId);
              if (m) peer.send(toFrame(e.seq, m, e.cid));
            }
            if (batch.length < 500) break;
            from = batch[batch.length - 1]!.seq;
          }
        });
      case 'send':
        return this.#serial(vid, (v) => this.#send(v, peer, frame));
      case 'leave':
        return this.#serial(vid, (v) => this.#leave(v, peer, frame));
      case 'typing':
        return this.#typing(vid, frame.on);
      case 'prechat':
        return this.#serial(vid, () => this.#prechat(vid, frame));
      case 'csat':
        return this.#serial(vid, () => this.#csat(vid, frame.score));
      case 'ack':
      case 'read':
        return this.#serial(vid, () =>
          this.#receipt(vid, frame.seq, frame.t === 'ack' ? 'delivered' : 'read'),
        );
      case 'ping':
        peer.send({ t: 'pong' });
        return;
    }
  }

  detach(vid: string, peer: Peer): void {
    this.#visitors.get(vid)?.peers.delete(peer);
  }

  /** Out of hours: who the customer is and what they want, whatever the calendar says by the time it lands. */
  async #leave(v: Visitor, peer: Peer, f: Extract<ClientFrame, { t: 'leave' }>): Promise<void> {
    if (!f.phone?.trim() && !f.email?.trim())
      throw new WebchatError('WEBCHAT_BAD_FRAME', 'Leave a phone number or an email address so we can reply');
    if (!f.text.trim()) throw new WebchatError('WEBCHAT_BAD_FRAME', 'Empty message');
    if ((await this.#log.seqOfClientId(v.vid, f.cid)) === undefined) {
      await this.#prechat(v.vid, {
        t: 'prechat',
        ...(f.name?.trim() ? { name: f.name.trim() } : {}),
        ...(f.phone?.trim() ? { phone: f.phone.trim() } : {}),
        ...(f.email?.trim() ? { email: f.email.trim() } : {}),
      });
    }
    return this.#send(v, peer, { t: 'send', cid: f.cid, text: f.text }, { offline: true });
  }

  async #send(
    v: Visitor,
    peer: Peer,
    f: Extract<ClientFrame, { t: 'send' }>,
    o: { offline?: boolean } = {},
  ): Promise<void> {
    const known = await this.#log.seqOfClientId(v.vid, f.cid);
    if (known !== undefined) {
      // A resend after a lost ack: answer with what is stored, store nothing.
      const e = await this.#log.entry(v.vid, known);
      const m = e && (await this.#conversations.getMessage(e.messageId));
      if (m) peer.send(toFrame(known, m, f.cid));
      return;
    }
    const files: AttachmentInput[] = (f.files ?? []).map((id) => {
      const u = this.#uploads.take(v.vid, id);
      if (!u) throw new WebchatError('WEBCHAT_UNKNOWN_FILE', 'Unknown or expired upload');
      return u;
    });
    if (!f.text.trim() && files.length === 0) throw new WebchatError('WEBCHAT_BAD_FRAME', 'Empty message');
    const open = !o.offline && (await this.#isOpen());
    const r = await this.#conversations.ingest({
      channel: 'webchat',
      handles: [{ kind: 'web_visitor', value: v.vid }],
      externalId: `${v.vid}:${f.cid}`,
      threadKey: v.vid,
      text: f.text,
      ...(files.length ? { attachments: files } : {}),
      receivedAt: new Date(),
      ...(open ? {} : { attributes: { offline: true } }),
    });
    const prior = await this.#log.visitor(v.vid);
    if (prior.contactId !== r.contactId || prior.customerId !== r.customerId) {
      await this.#log.setVisitor(v.vid, { contactId: r.contactId, customerId: r.customerId });
      if (!open) {
        await this.#bus.publish('webchat.offline_message_received', {
          contactId: r.contactId,
          customerId: r.customerId,
          conversationId: r.conversationId,
        });
      }
    }
    const m = await this.#conversations.getMessage(r.messageId);
    if (!m) return;
    const seq = v.lastSeq + 1;
    await this.#log.append(v.vid, { seq, messageId: m.id, cid: f.cid });
    v.lastSeq = seq;
    this.#broadcast(v, toFrame(seq, m, f.cid));
  }

  /** The channel sender's side: an agent's reply enters the visitor's stream. */
  async deliver(vid: string, message: Message): Promise<number> {
    return this.#serial(vid, async (v) => {
      const seq = v.lastSeq + 1;
      await this.#log.append(vid, { seq, messageId: message.id });
      v.lastSeq = seq;
      this.#broadcast(v, toFrame(seq, message));
      return seq;
    });
  }

  /** Pushes a frame that is not part of the stream (typing, contact state). */
  push(vid: string, frame: ServerFrame): void {
    const v = this.#visitors.get(vid);
    if (v) this.#broadcast(v, frame);
  }

  #broadcast(v: Visitor, frame: ServerFrame): void {
    for (const p of v.peers) {
      try {
        p.send(frame);
      } catch (err) {
        log.debug('push to widget failed', { err });
      }
    }
  }

  async #typing(vid: string, on: boolean): Promise<void> {
    const v = await this.#visitor(vid);
    const now = Date.now();
    // Throttled: a typing indicator is not worth an audit entry per keystroke.
    if (on && now - v.typingAt < 3000) return;
    v.typingAt = on ? now : 0;
    const { contactId } = await this.#log.visitor(vid);
    if (!contactId) return;
    const c = await this.#conversations.getContact(contactId).catch(() => undefined);
    if (c?.agentId)
      await this.#bus.publish('webchat.visitor_typing', { contactId, on, recipientUserId: c.agentId });
  }

  async #prechat(vid: string, f: Extract<ClientFrame, { t: 'prechat' }>): Promise<void> {
    const actor = { userId: 'channel:webchat' };
    const visitorHandle = { kind: 'web_visitor' as const, value: vid };
    const strong = f.phone ? { kind: 'phone' as const, value: f.phone } : undefined;
    const mine = await this.#customers.lookup(visitorHandle);
    const theirs = strong ? await this.#customers.lookup(strong).catch(() => undefined) : undefined;
    // Same phone means same person: fold the anonymous visitor into the known customer (reversible).
    if (mine && theirs && mine !== theirs) await this.#customers.merge(mine, theirs, actor);
    const handles = [
      visitorHandle,
      ...(strong ? [strong] : []),
      ...(f.email ? [{ kind: 'email' as const, value: f.email }] : []),
    ];
    const { customerId } = await this.#customers.resolve(handles, {
      actor,
      ...(f.name ? { displayName: f.name } : {}),
    });
    const prior = await this.#log.visitor(vid);
    await this.#log.setVisitor(vid, { ...prior, customerId });
  }

  async #csat(vid: string, score: number): Promise<void> {
    const { contactId } = await this.#log.visitor(vid);
    if (!contactId) throw new WebchatError('WEBCHAT_NO_CONTACT', 'No chat to rate');
    const c = await this.#conversations.getContact(contactId);
    if (c.attributes['csat'] !== undefined) throw new WebchatError('WEBCHAT_CSAT_ALREADY', 'Already rated');
    await this.#conversations.setAttributes(contactId, { csat: score }, 'channel:webchat');
    await this.#bus.publish('contact.csat_recorded', {
      contactId,
      customerId: c.customerId,
      channel: 'webchat',
      score,
      ...(c.agentId ? { agentId: c.agentId } : {}),
    });
  }

  async #receipt(vid: string, seq: number, state: 'delivered' | 'read'): Promise<void> {
    const v = await this.#visitor(vid);
    const upTo = Math.min(seq, v.lastSeq);
    const entries = await this.#log.after(vid, Math.max(0, upTo - 50), 50);
    for (const e of entries) {
      if (e.seq > upTo || e.cid) continue;
      await this.#conversations.markDelivery(e.messageId, state).catch(() => undefined);
    }
  }

  close(): void {
    this.#visitors.clear();
    this.#waiting.clear();
  }
}

function toFrame(seq: number, m: Message, cid?: string): ServerFrame {
  const files: FileRef[] = m.attachments.map((a) => ({
    id: a.id,
    name: a.name,
    mime: a.mime,
    bytes: a.bytes,
  }));
  return {
    t: 'msg',
    seq,
    id: m.id,
    ...(cid ? { cid } : {}),
    dir: m.direction === 'in' ? 'in' : 'out',
    author: m.direction === 'in' ? 'me' : m.author === 'bot' ? 'bot' : 'agent',
    text: m.text,
    at: m.at,
    files,
  };
}
