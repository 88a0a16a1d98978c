import type { BranchModule } from '../modules.ts';
import { EncryptedDocStore } from '../storage/index.ts';
import { mailAttachmentPolicy } from './attachments.ts';
import { removeCallPlaceholders } from './call-placeholders.ts';
import { replicationRoutes } from './replication-routes.ts';
import { conversationRoutes } from './routes.ts';
import { customer360Routes } from './routes-360.ts';
import { quarantineRoutes } from './routes-quarantine.ts';
import { ConversationService } from './service.ts';
import { CONVERSATION_SEALED_FIELDS, ConversationStore, conversationKeyIdFor } from './store.ts';

const CONTACT_INDEX = 'contact-index-v1';
const CONTACT_LIST_INDEX = 'contact-list-index-v1';

/** Conversations, contacts and the customer 360; provides `services.conversations`. */
export const conversationsModule: BranchModule = {
  name: 'conversations',
  async init(ctx) {
    const { crypto, customers, bus } = ctx.services;
    const raw = await ctx.openStore('conversations');
    const db = new EncryptedDocStore(raw, {
      crypto,
      fields: [...CONVERSATION_SEALED_FIELDS],
      keyIdFor: conversationKeyIdFor,
    });
    const store = new ConversationStore(db, (k, v) => crypto.blindIndex(k, v));
    await removeCallPlaceholders(store, bus);
    // Contacts stored before the customer index existed get their entries once (a rerun is harmless).
    if (!(await store.migrated(CONTACT_INDEX))) {
      await store.markMigrated(CONTACT_INDEX, { contacts: await store.indexContacts() });
    }
    // Likewise the list indexes (inboxes, the supervisor's list).
    if (!(await store.migrated(CONTACT_LIST_INDEX))) {
      await store.markMigrated(CONTACT_LIST_INDEX, { contacts: await store.indexContactLists() });
    }
    const service = new ConversationService(store, {
      customers,
      bus,
      attachmentPolicies: { email: mailAttachmentPolicy(ctx.config) },
    });
    ctx.provide('conversations', service);
    return {
      routes: [
        conversationRoutes(service, ctx.recordRead),
        customer360Routes(service, customers),
        replicationRoutes(service, { customers, recordRead: ctx.recordRead }),
        quarantineRoutes(service, ctx.recordRead),
      ],
    };
  },
};
