import type { BranchModule } from '../modules.ts';
import { EncryptedDocStore } from '../storage/index.ts';
import { teamChatRoutes } from './routes.ts';
import { TeamChatService } from './service.ts';
import { keyIdFor, SEALED_FIELDS } from './store.ts';

export const teamChatModule: BranchModule = {
  name: 'teamchat',
  async init(ctx) {
    const { bus, crypto, identity } = ctx.services;
    // Agents paste customer details into consults: bodies and topics are sealed at rest.
    const db = new EncryptedDocStore(await ctx.openStore('teamchat'), {
      crypto,
      fields: SEALED_FIELDS,
      keyIdFor,
    });
    const service = new TeamChatService(db, {
      bus,
      recordRead: ctx.recordRead,
      directory: {
        findUserId: async (username) => (await identity.findUser(username))?.id,
        exists: async (userId) => {
          try {
            await identity.getUser(userId);
            return true;
          } catch {
            return false;
          }
        },
      },
    });
    const offs = [
      bus.subscribe('session.started', (e) => service.presence.sessionStarted(e.data.userId)),
      bus.subscribe('session.ended', (e) => service.presence.sessionEnded(e.data.userId)),
    ];
    ctx.provide('teamchat', service);
    const people = async () =>
      (await identity.listUsers())
        .filter((u) => u.status === 'active')
        .map((u) => ({ id: u.id, username: u.username, displayName: u.displayName }));
    return {
      routes: [teamChatRoutes(service, { people })],
      async close() {
        for (const off of offs.splice(0)) off();
      },
    };
  },
};
