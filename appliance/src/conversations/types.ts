/**
 * Conversations: a customer's thread across channels, and contacts — the
 * routable unit inside it (a call, a chat session, an email thread turn).
 * These types are the contract between channel adapters, routing and the
 * console; the service implementing them lives beside this file.
 */

export type Channel = 'webchat' | 'email' | 'wechat' | 'wecom' | 'voice';

/** How a customer is addressed on a channel; looked up through the blind index. */
export type HandleKind =
  | 'phone'
  | 'email'
  | 'wechat_openid'
  | 'wechat_unionid'
  | 'wecom_external'
  | 'web_visitor';

export interface Handle {
  kind: HandleKind;
  value: string;
  /** Email handles link to an existing customer only when verified (DESIGN §5). */
  verified?: boolean;
}

export interface Attachment {
  id: string;
  name: string;
  mime: string;
  bytes: number;
}

export interface AttachmentInput {
  name: string;
  mime: string;
  data: Uint8Array;
}

/** What a channel adapter hands the conversations service for each inbound message. */
export interface InboundMessage {
  channel: Channel;
  /** The sender's handles: the first one identifies; others are linked when allowed. */
  handles: Handle[];
  /** Platform message id (Message-ID, WeChat MsgId …); a repeat is a duplicate, not a new message. */
  externalId: string;
  /** Groups messages into one contact: email thread root, chat session id, WeChat openid. */
  threadKey: string;
  text: string;
  attachments?: AttachmentInput[];
  /** Display name the channel gave (email From name, WeChat nickname). */
  displayName?: string;
  receivedAt: Date;
  /** Channel details kept with the message (subject, In-Reply-To, msgType …); no secrets. */
  meta?: Record<string, string>;
  /** Routing attributes for a contact this message opens (e.g. `offline: true`). */
  attributes?: Record<string, string | number | boolean>;
}

export interface IngestResult {
  customerId: string;
  conversationId: string;
  contactId: string;
  messageId: string;
  /** True when externalId was seen before: nothing new was stored. */
  duplicate: boolean;
}

export type ContactState = 'queued' | 'offered' | 'active' | 'wrap_up' | 'closed' | 'abandoned';

/** One routable interaction. Every state change is an event with its timestamp. */
export interface Contact {
  id: string;
  conversationId: string;
  customerId: string;
  channel: Channel;
  threadKey: string;
  state: ContactState;
  /** Routing attributes (language, intent, vip tier, …) set by flows/bots/channels. */
  attributes: Record<string, string | number | boolean>;
  agentId?: string;
  createdAt: string;
  updatedAt: string;
  /** State → ISO time it was entered (first time). */
  timeline: Partial<Record<ContactState, string>>;
  wrapUpCode?: string;
}

export type Direction = 'in' | 'out' | 'internal';

export interface Message {
  id: string;
  conversationId: string;
  contactId: string;
  channel: Channel;
  direction: Direction;
  /** user id for 'out'/'internal', customer id for 'in', 'bot' for the chatbot. */
  author: string;
  text: string;
  attachments: Attachment[];
  externalId?: string;
  at: string;
  delivery: 'pending' | 'sent' | 'delivered' | 'read' | 'failed';
  meta?: Record<string, string>;
}

/**
 * A channel's outbound side. The conversations service calls `send` for an
 * agent's reply; the adapter delivers it (SMTP relay, WeChat API, WebSocket)
 * and reports the platform id. Throwing marks the message failed.
 */
export interface ChannelSender {
  readonly channel: Channel;
  send(input: { contact: Contact; message: Message; to: Handle[] }): Promise<{ externalId?: string }>;
}

/** The routable fields every `contact.<state>` event carries. */
export interface ContactEvent {
  contactId: string;
  conversationId: string;
  customerId: string;
  channel: Channel;
  attributes: Record<string, string | number | boolean>;
  /** When the contact first entered the queue; kept across requeues (RONA keeps its age). */
  queuedAt: string;
  /** When this state was entered. */
  at: string;
  agentId?: string;
  wrapUpCode?: string;
  /** The agent's console gets the event over the WebSocket (see http/ws-gateway.ts). */
  recipientUserId?: string;
}

export interface MessageEvent {
  conversationId: string;
  contactId: string;
  customerId: string;
  messageId: string;
  channel: Channel;
  direction: Direction;
  recipientUserId?: string;
}

export interface TransitionOptions {
  agentId?: string;
  wrapUpCode?: string;
  actor?: string;
}

export interface ReplyInput {
  text: string;
  attachments?: AttachmentInput[];
}

/** A customer-360 timeline entry: a message plus its contact's state. */
export interface TimelineEntry extends Message {
  customerId: string;
}

declare module '../events/catalogue.ts' {
  interface EventCatalogue {
    'contact.queued': ContactEvent;
    'contact.offered': ContactEvent;
    'contact.active': ContactEvent;
    'contact.wrap_up': ContactEvent;
    'contact.closed': ContactEvent;
    'contact.abandoned': ContactEvent;
    'contact.attributes_changed': { contactId: string; keys: string[] };
    'contact.csat_recorded': {
      contactId: string;
      customerId: string;
      channel: Channel;
      score: number;
      agentId?: string;
    };
    'conversation.message_received': MessageEvent;
    'conversation.message_sent': MessageEvent & { delivery: Message['delivery'] };
    'conversation.note_added': MessageEvent;
    'conversation.message_status_changed': {
      messageId: string;
      contactId: string;
      delivery: Message['delivery'];
      recipientUserId?: string;
    };
  }
}

declare module '../modules.ts' {
  interface Services {
    conversations: import('./service.ts').ConversationService;
  }
}
