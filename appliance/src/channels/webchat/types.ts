declare module '../../events/catalogue.ts' {
  interface EventCatalogue {
    'webchat.offline_message_received': { contactId: string; customerId: string; conversationId: string };
    'webchat.visitor_typing': { contactId: string; on: boolean; recipientUserId: string };
    'webchat.settings_changed': { fields: string[] };
  }
}

/** Routing, seen structurally: its default workflow's calendar decides opening hours for every channel. */
export interface OpeningHoursSource {
  isOpenNow?(): boolean;
}
