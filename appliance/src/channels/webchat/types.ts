declare module '../../events/catalogue.ts' {
  interface EventCatalogue {
    'webchat.offline_message_received': { contactId: string; customerId: string; conversationId: string };
    'webchat.visitor_typing': { contactId: string; on: boolean; recipientUserId: string };
    'webchat.settings_changed': { fields: string[] };
  }
}

/** Optional: routing's calendars decide opening hours once routing provides them. */
export interface OpeningHoursSource {
  isOpen?(calendarId: string): boolean;
}
