import type { TeamChatService } from './service.ts';

export type ChannelKind = 'direct' | 'group' | 'consult';
export type PresenceStatus = 'online' | 'away' | 'offline';

export interface Channel {
  id: string;
  kind: ChannelKind;
  name?: string;
  memberIds: string[];
  createdBy: string;
  createdAt: string;
  /** Number of messages posted; message n has seq n. */
  seq: number;
  /** Consults only: the live contact the expert is asked about. */
  contactId?: string;
  /** Consults only: whose data the thread may hold (its messages are sealed under the customer's key). */
  customerId?: string;
  /** Consults only: the question, sealed like a message body. */
  topic?: string;
}

export interface ChatMessage {
  id: string;
  channelId: string;
  seq: number;
  authorId: string;
  body: string;
  /** User ids mentioned with @username who are members of the channel. */
  mentions: string[];
  createdAt: string;
  customerId?: string;
}

export interface ChannelSummary extends Channel {
  unread: number;
}

export interface ChatActor {
  userId: string;
  source?: string;
}

/** The people directory used for @mentions; identity provides it in the appliance. */
export interface Directory {
  findUserId(username: string): Promise<string | undefined>;
  exists(userId: string): Promise<boolean>;
}

/** Records a personal-data read (consult threads point at a live contact). */
export type ReadRecorder = (read: {
  actor: string;
  target: string;
  source?: string;
  action?: string;
}) => Promise<void>;

declare module '../modules.ts' {
  interface Services {
    teamchat: TeamChatService;
  }
}

declare module '../events/catalogue.ts' {
  interface EventCatalogue {
    'teamchat.channel_created': { channelId: string; kind: ChannelKind; recipientUserIds: string[] };
    'teamchat.member_added': { channelId: string; userId: string; recipientUserIds: string[] };
    /** Carries no body: the event log is audited in clear, message bodies stay sealed. */
    'teamchat.message_posted': {
      channelId: string;
      messageId: string;
      seq: number;
      authorId: string;
      recipientUserIds: string[];
    };
    'teamchat.mentioned': { channelId: string; messageId: string; authorId: string; recipientUserId: string };
    'teamchat.consult_started': {
      channelId: string;
      contactId: string;
      requesterId: string;
      expertUserId: string;
      recipientUserIds: string[];
    };
  }
}
