import { randomUUID } from 'node:crypto';
import { BadInputError, OutOfRangeError } from '../contracts/index.ts';
import type { EventBus } from '../events/index.ts';
import { type DocStore, KeyedLock } from '../storage/index.ts';
import { TeamChatError } from './errors.ts';
import { parseMentions } from './mentions.ts';
import { PresenceTracker } from './presence.ts';
import { ChatStore } from './store.ts';
import type {
  Channel,
  ChannelSummary,
  ChatActor,
  ChatMessage,
  Directory,
  PresenceStatus,
  ReadRecorder,
} from './types.ts';

const MAX_MEMBERS = 200;

/**
 * Internal chat between staff: direct, group and consult channels. Bodies are
 * sealed at rest by the store given here; events carry ids only and are
 * addressed (`recipientUserIds`) so the console gateway pushes them to members alone.
 */
export class TeamChatService {
  #store: ChatStore;
  #bus: EventBus;
  #directory: Directory;
  #recordRead: ReadRecorder;
  #now: () => Date;
  #lock = new KeyedLock();
  readonly presence: PresenceTracker;

  constructor(
    db: DocStore,
    options: {
      bus: EventBus;
      directory: Directory;
      recordRead: ReadRecorder;
      now?: () => Date;
      presence?: PresenceTracker;
    },
  ) {
    this.#store = new ChatStore(db);
    this.#bus = options.bus;
    this.#directory = options.directory;
    this.#recordRead = options.recordRead;
    this.#now = options.now ?? (() => new Date());
    this.presence = options.presence ?? new PresenceTracker();
  }

  /** The one direct channel between two users; asking again returns the same channel. */
  async openDirect(otherUserId: string, actor: ChatActor): Promise<Channel> {
    if (otherUserId === actor.userId)
      throw new BadInputError('TEAMCHAT_INVALID_CHANNEL', 'Cannot open a direct channel with oneself');
    await this.#mustExist([otherUserId]);
    const ids = [actor.userId, otherUserId].sort();
    const id = `dm-${ids.join('-')}`;
    return this.#lock.run(id, async () => {
      const prior = await this.#store.channel(id);
      if (prior) return this.#plain(prior);
      return this.#create({ id, kind: 'direct', memberIds: ids }, actor);
    });
  }

  async createGroup(input: { name: string; memberIds: string[] }, actor: ChatActor): Promise<Channel> {
    const memberIds = [...new Set([actor.userId, ...input.memberIds])];
    if (memberIds.length > MAX_MEMBERS)
      throw new OutOfRangeError('TEAMCHAT_INVALID_CHANNEL', `A group holds at most ${MAX_MEMBERS} members`);
    await this.#mustExist(memberIds);
    return this.#create({ id: randomUUID(), kind: 'group', name: input.name, memberIds }, actor);
  }

  /**
   * A consult: a thread between the agent on a live contact and an expert,
   * carrying the contact link; the first message is the question.
   */
  async startConsult(
    input: { contactId: string; expertUserId: string; topic: string; customerId?: string },
    actor: ChatActor,
  ): Promise<Channel> {
    if (input.expertUserId === actor.userId)
      throw new BadInputError('TEAMCHAT_INVALID_CHANNEL', 'Cannot consult oneself');
    await this.#mustExist([input.expertUserId]);
    const channel = await this.#create(
      {
        id: randomUUID(),
        kind: 'consult',
        name: `consult:${input.contactId}`,
        memberIds: [actor.userId, input.expertUserId],
        contactId: input.contactId,
        topic: input.topic,
        ...(input.customerId ? { customerId: input.customerId } : {}),
      },
      actor,
    );
    await this.#bus.publish(
      'teamchat.consult_started',
      {
        channelId: channel.id,
        contactId: input.contactId,
        requesterId: actor.userId,
        expertUserId: input.expertUserId,
        recipientUserIds: channel.memberIds,
      },
      actor,
    );
    await this.post(channel.id, input.topic, actor);
    return this.#plain(await this.#member(channel.id, actor));
  }

  async addMember(channelId: string, userId: string, actor: ChatActor): Promise<Channel> {
    await this.#mustExist([userId]);
    const updated = await this.#lock.run(channelId, async () => {
      const ch = await this.#member(channelId, actor);
      if (ch.kind === 'direct') {
        throw new TeamChatError('TEAMCHAT_INVALID_CHANNEL', 'A direct channel has exactly two members', {
          status: 409,
        });
      }
      if (ch.memberIds.includes(userId)) return this.#plain(ch);
      const next = { ...ch, memberIds: [...ch.memberIds, userId] };
      await this.#store.putChannel(next);
      return this.#plain(next);
    });
    await this.#bus.publish(
      'teamchat.member_added',
      { channelId, userId, recipientUserIds: updated.memberIds },
      actor,
    );
    return updated;
  }

  /** The caller's channels with unread counts, most recently active first. */
  async listChannels(actor: ChatActor): Promise<ChannelSummary[]> {
    const mine = (await this.#store.channels()).filter((c) => c.memberIds.includes(actor.userId));
    const out: ChannelSummary[] = [];
    for (const c of mine) {
      const { topic: _t, ...rest } = c;
      out.push({ ...rest, unread: c.seq - (await this.#store.lastRead(actor.userId, c.id)) });
    }
    return out;
  }

  /** One channel for a member (a consult's topic included, and the read audited). */
  async get(channelId: string, actor: ChatActor): Promise<Channel> {
    const ch = this.#plain(await this.#member(channelId, actor));
    await this.#auditConsult(ch, actor, 'teamchat.consult_read');
    return ch;
  }

  /** Posts a message; members named with @username are notified individually. */
  async post(channelId: string, body: string, actor: ChatActor): Promise<ChatMessage> {
    if (body.trim() === '') throw new BadInputError('TEAMCHAT_EMPTY_MESSAGE', 'Message body is empty');
    const mentioned = await this.#resolveMentions(body);
    const { message, channel } = await this.#lock.run(channelId, async () => {
      const ch = await this.#member(channelId, actor);
      const seq = ch.seq + 1;
      const message: ChatMessage = {
        id: `${channelId}:${seq}`,
        channelId,
        seq,
        authorId: actor.userId,
        body,
        mentions: mentioned.filter((id) => ch.memberIds.includes(id) && id !== actor.userId),
        createdAt: this.#now().toISOString(),
        ...(ch.customerId ? { customerId: ch.customerId } : {}),
      };
      await this.#store.putMessage(message);
      await this.#store.putChannel({ ...ch, seq });
      return { message, channel: ch };
    });
    await this.markRead(channelId, message.seq, actor);
    const others = channel.memberIds.filter((id) => id !== actor.userId);
    await this.#bus.publish(
      'teamchat.message_posted',
      {
        channelId,
        messageId: message.id,
        seq: message.seq,
        authorId: actor.userId,
        recipientUserIds: others,
      },
      actor,
    );
    for (const userId of message.mentions) {
      await this.#bus.publish(
        'teamchat.mentioned',
        { channelId, messageId: message.id, authorId: actor.userId, recipientUserId: userId },
        actor,
      );
    }
    return message;
  }

  /** Messages for a member, oldest first: after `afterSeq`, else the newest `limit`. */
  async messages(channelId: string, actor: ChatActor, options: { afterSeq?: number; limit?: number } = {}) {
    const ch = this.#plain(await this.#member(channelId, actor));
    const limit = Math.min(Math.max(options.limit ?? 50, 1), 200);
    const list = await this.#store.messages(channelId, {
      limit,
      ...(options.afterSeq === undefined ? {} : { afterSeq: options.afterSeq }),
    });
    await this.#auditConsult(ch, actor, 'teamchat.consult_messages_read');
    return list;
  }

  async markRead(channelId: string, seq: number, actor: ChatActor): Promise<void> {
    await this.#member(channelId, actor);
    await this.#lock.run(`read:${actor.userId}:${channelId}`, () =>
      this.#store.setLastRead(actor.userId, channelId, seq),
    );
  }

  presenceOf(userIds: readonly string[]): Record<string, PresenceStatus> {
    return Object.fromEntries(userIds.map((id) => [id, this.presence.statusOf(id)]));
  }

  async #create(input: Omit<Channel, 'createdBy' | 'createdAt' | 'seq'>, actor: ChatActor): Promise<Channel> {
    const channel: Channel = {
      ...input,
      createdBy: actor.userId,
      createdAt: this.#now().toISOString(),
      seq: 0,
    };
    await this.#store.putChannel(channel);
    await this.#bus.publish(
      'teamchat.channel_created',
      { channelId: channel.id, kind: channel.kind, recipientUserIds: channel.memberIds },
      actor,
    );
    return channel;
  }

  async #member(channelId: string, actor: ChatActor) {
    const ch = await this.#store.channel(channelId);
    // Non-members learn nothing, not even that the channel exists.
    if (!ch?.memberIds.includes(actor.userId)) {
      throw new TeamChatError('TEAMCHAT_NOT_FOUND', `No channel ${channelId}`, { status: 404 });
    }
    return ch;
  }

  #plain<T extends Channel>(ch: T): Channel {
    const { _id, _rev, ...rest } = ch as T & { _id?: string; _rev?: string };
    // Dropping the storage metadata leaves exactly the Channel fields.
    return rest as Channel;
  }

  async #auditConsult(ch: Channel, actor: ChatActor, action: string): Promise<void> {
    if (ch.contactId === undefined) return;
    await this.#recordRead({
      actor: actor.userId,
      target: `contact:${ch.contactId}`,
      action,
      ...(actor.source === undefined ? {} : { source: actor.source }),
    });
  }

  async #resolveMentions(body: string): Promise<string[]> {
    const ids: string[] = [];
    for (const name of parseMentions(body)) {
      const id = await this.#directory.findUserId(name);
      if (id) ids.push(id);
    }
    return ids;
  }

  async #mustExist(userIds: string[]): Promise<void> {
    for (const id of userIds) {
      if (!(await this.#directory.exists(id))) {
        throw new TeamChatError('TEAMCHAT_UNKNOWN_USER', `No user ${id}`, { details: { userId: id } });
      }
    }
  }
}
