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

/** Why a channel's policy kept a file back (the console translates the code). */
export type BlockedReason = 'type_not_allowed' | 'content_mismatch' | 'too_large' | 'too_many' | 'bad_name';

/** What a channel may store per message: allowed MIME types (content-checked), size and count limits. */
export interface AttachmentPolicy {
  readonly types: readonly string[];
  readonly maxBytes: number;
  readonly maxCount: number;
}

/** A file a channel's policy refused: kept quarantined (encrypted) until an admin releases it. */
export interface BlockedAttachmentInput extends AttachmentInput {
  reason: BlockedReason;
}

/** A quarantined file as the agent sees it on the message: no bytes, no download. */
export interface BlockedAttachment extends Attachment {
  reason: BlockedReason;
}

/** The quarantine entry an admin lists and releases. */
export interface QuarantinedAttachment extends BlockedAttachment {
  messageId: string;
  contactId: string;
  customerId: string;
  channel: Channel;
  at: string;
  state: 'blocked' | 'released';
  releasedBy?: string;
  releasedAt?: string;
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
  /** Files the channel's policy refused: stored quarantined, shown to the agent, releasable by an admin. */
  blockedAttachments?: BlockedAttachmentInput[];
  /** Display name the channel gave (email From name, WeChat nickname). */
  displayName?: string;
  receivedAt: Date;
  /** Channel details kept with the message (subject, In-Reply-To, msgType …); no secrets. */
  meta?: Record<string, string>;
  /** Routing attributes for a contact this message opens (e.g. `offline: true`). */
  attributes?: Record<string, string | number | boolean>;
}

/** A contact opened with nothing said yet (a call): no message is stored for it. */
export type ContactOpening = Omit<InboundMessage, 'text' | 'attachments' | 'blockedAttachments'>;

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
  /** Quarantined files (name, type, size, reason); an admin's release moves one to `attachments`. */
  blockedAttachments?: BlockedAttachment[];
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

export interface AttachmentQuarantineEvent {
  attachmentId: string;
  messageId: string;
  contactId: string;
  customerId: string;
  channel: Channel;
  mime: string;
  bytes: number;
  reason: BlockedReason;
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
    /** A channel's policy kept a file back; file names stay out of events (they are sealed). */
    'conversation.attachment_blocked': AttachmentQuarantineEvent;
    'conversation.attachment_released': AttachmentQuarantineEvent;
    'conversation.message_status_changed': {
      messageId: string;
      contactId: string;
      delivery: Message['delivery'];
      recipientUserId?: string;
    };
    /** Start-up migration: the synthetic "Voice call queued to …" messages removed (issue 14). */
    'conversation.call_placeholders_removed': { count: number; contacts: number };
  }
}

declare module '../modules.ts' {
  interface Services {
    conversations: import('./service.ts').ConversationService;
  }
}
