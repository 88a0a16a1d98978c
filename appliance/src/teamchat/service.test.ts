import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { type DomainEvent, EventBus } from '../events/index.ts';
import {
  type CryptoFacade,
  EncryptedDocStore,
  isEnvelope,
  MemoryDocStore,
  openCrypto,
} from '../storage/index.ts';
import { parseMentions } from './mentions.ts';
import { PresenceTracker } from './presence.ts';
import { TeamChatService } from './service.ts';
import { keyIdFor, SEALED_FIELDS } from './store.ts';

let dir: string;
let crypto: CryptoFacade;
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'bl-chat-'));
  crypto = await openCrypto(dir);
});
after(async () => {
  crypto.close();
  await rm(dir, { recursive: true, force: true });
});

const USERS: Record<string, string> = { ann: 'u-ann', bob: 'u-bob', cai: 'u-cai' };
const ann = { userId: 'u-ann' };
const bob = { userId: 'u-bob' };
const cai = { userId: 'u-cai' };

function rig() {
  const inner = new MemoryDocStore('teamchat');
  const bus = new EventBus();
  const events: DomainEvent[] = [];
  bus.subscribe('*', (e) => void events.push(e));
  const reads: Array<{ actor: string; target: string; action?: string }> = [];
  const chat = new TeamChatService(
    new EncryptedDocStore(inner, { crypto, fields: SEALED_FIELDS, keyIdFor }),
    {
      bus,
      recordRead: async (r) => void reads.push(r),
      directory: {
        findUserId: async (name) => USERS[name],
        exists: async (id) => Object.values(USERS).includes(id),
      },
    },
  );
  return { chat, inner, events, reads };
}

test('parseMentions() finds each @username once, ignoring e-mail addresses', () => {
  assert.deepEqual(parseMentions('@Bob hi, @cai and @bob. mail me at ann@example.com'), ['bob', 'cai']);
});

test('post() notifies only mentioned members and addresses the message notice to the other members', async () => {
  const { chat, events } = rig();
  const g = await chat.createGroup({ name: 'desk', memberIds: ['u-bob', 'u-cai'] }, ann);
  const m = await chat.post(g.id, 'hi @bob and @nobody', ann);
  assert.deepEqual(m.mentions, ['u-bob']);
  const mentions = events.filter((e) => e.type === 'teamchat.mentioned');
  assert.deepEqual(
    mentions.map((e) => (e.data as { recipientUserId: string }).recipientUserId),
    ['u-bob'],
  );
  const posted = events.find((e) => e.type === 'teamchat.message_posted');
  assert.ok(posted);
  assert.deepEqual((posted.data as { recipientUserIds: string[] }).recipientUserIds, ['u-bob', 'u-cai']);
});

test('a mention of a non-member notifies nobody', async () => {
  const { chat, events } = rig();
  const dm = await chat.openDirect('u-bob', ann);
  await chat.post(dm.id, '@cai look', ann);
  assert.equal(events.filter((e) => e.type === 'teamchat.mentioned').length, 0);
});

test('startConsult() links the contact, seals the topic under the customer key and audits each read', async () => {
  const { chat, inner, events, reads } = rig();
  const ch = await chat.startConsult(
    { contactId: 'c-9', expertUserId: 'u-bob', topic: '卡号 6222021234561234 冻结了', customerId: 'k1' },
    ann,
  );
  assert.equal(ch.contactId, 'c-9');
  assert.ok(events.some((e) => e.type === 'teamchat.consult_started'));
  const rawChannel = await inner.get<{ topic: string }>(`ch:${ch.id}`);
  assert.ok(rawChannel && isEnvelope(rawChannel.topic));
  assert.ok(rawChannel.topic.includes('cust:k1'), 'sealed under the customer key for crypto-shredding');
  const msgs = await chat.messages(ch.id, bob);
  assert.equal(msgs[0]?.body, '卡号 6222021234561234 冻结了');
  assert.deepEqual(reads, [
    { actor: 'u-bob', target: 'contact:c-9', action: 'teamchat.consult_messages_read' },
  ]);
});

test('non-members get TEAMCHAT_NOT_FOUND for a channel that exists', async () => {
  const { chat } = rig();
  const dm = await chat.openDirect('u-bob', ann);
  await assert.rejects(chat.messages(dm.id, cai), { code: 'TEAMCHAT_NOT_FOUND' });
  await assert.rejects(chat.post(dm.id, 'x', cai), { code: 'TEAMCHAT_NOT_FOUND' });
});

test('openDirect() returns the same channel from either side and refuses unknown users', async () => {
  const { chat } = rig();
  const a = await chat.openDirect('u-bob', ann);
  const b = await chat.openDirect('u-ann', bob);
  assert.equal(a.id, b.id);
  await assert.rejects(chat.openDirect('u-ghost', ann), { code: 'TEAMCHAT_UNKNOWN_USER' });
});

test('unread counts follow posts by others and markRead(); concurrent posts get distinct sequence numbers', async () => {
  const { chat } = rig();
  const dm = await chat.openDirect('u-bob', ann);
  await Promise.all(['a', 'b', 'c'].map((body) => chat.post(dm.id, body, ann)));
  const seqs = (await chat.messages(dm.id, bob)).map((m) => m.seq);
  assert.deepEqual(seqs, [1, 2, 3]);
  assert.equal((await chat.listChannels(bob))[0]?.unread, 3);
  assert.equal((await chat.listChannels(ann))[0]?.unread, 0);
  await chat.markRead(dm.id, 2, bob);
  assert.equal((await chat.listChannels(bob))[0]?.unread, 1);
  assert.deepEqual(
    (await chat.messages(dm.id, bob, { afterSeq: 2 })).map((m) => m.body),
    ['c'],
  );
});

test('presence is online after a heartbeat, away after 90 s of silence, offline after 5 min or session end', () => {
  let t = 0;
  const p = new PresenceTracker({ now: () => t });
  assert.equal(p.statusOf('u'), 'offline');
  p.sessionStarted('u');
  assert.equal(p.statusOf('u'), 'online');
  t = 91_000;
  assert.equal(p.statusOf('u'), 'away');
  p.heartbeat('u', 'online');
  assert.equal(p.statusOf('u'), 'online');
  t += 300_000;
  assert.equal(p.statusOf('u'), 'offline');
  p.heartbeat('u', 'away');
  assert.equal(p.statusOf('u'), 'away');
  p.sessionEnded('u');
  assert.equal(p.statusOf('u'), 'offline');
});
