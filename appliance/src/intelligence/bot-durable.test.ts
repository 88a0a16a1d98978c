import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { isEnvelope } from '../storage/index.ts';
import { type BotWorld, bootWorld, Clock } from './test-support.ts';

describe('the bot keeps its dialogue across restarts (real LevelDB)', () => {
  let dir: string;
  let clock: Clock;
  let world: BotWorld | undefined;
  const boot = async () => {
    world = await bootWorld(dir, clock);
    return world;
  };
  const restart = async () => {
    await world?.close();
    world = undefined;
    return boot();
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'bl-bot-durable-'));
    clock = new Clock();
  });
  afterEach(async () => {
    await world?.close();
    world = undefined;
    await rm(dir, { recursive: true, force: true });
  });

  test('an appointment dialogue continues at the branch slot after every store is reopened and a new BotRunner recovers', async () => {
    const w1 = await boot();
    const { contactId } = await w1.say('v1', 'I want to book an appointment');
    await w1.say('v1', 'tomorrow');
    assert.match(w1.replies(contactId).at(-1) ?? '', /Which branch/);
    const raw = await w1.raw.intelligence.get<{ sealed: string; v: number }>(`dialogue:${contactId}`);
    assert.equal(raw?.v, 1);
    assert.ok(isEnvelope(raw?.sealed), 'the dialogue state is sealed at rest');
    assert.doesNotMatch(raw?.sealed ?? '', /tomorrow/);

    const w2 = await restart();
    assert.equal(await w2.bot.recover(), 1);
    assert.equal(w2.sent.length, 0, 'recovery of an answered chat says nothing');
    assert.equal((await w2.conversations.getContact(contactId)).attributes['bot'], 'active');
    await w2.say('v1', 'Main Street');
    assert.match(w2.replies(contactId).at(-1) ?? '', /tomorrow at Main Street noted/);
    const c = await w2.conversations.getContact(contactId);
    assert.equal(c.attributes['bot'], 'handed_off');
    assert.equal(c.attributes['handoffReason'], 'requested');
    assert.equal(c.attributes['botTurns'], 3);
    assert.match(String(c.attributes['summary']), /appointment tomorrow \| branch Main Street/);
    assert.equal(await w2.dialogues.meta(contactId), undefined, 'a handed-off dialogue is removed');
  });

  test('recover() answers a visitor message that arrived while no bot turn ran, at the stored slot', async () => {
    const w1 = await boot();
    const { contactId } = await w1.say('v2', 'I want to book an appointment');
    w1.bot.close();
    await w1.say('v2', 'tomorrow');
    assert.equal(w1.replies(contactId).length, 1);

    const w2 = await restart();
    await w2.bot.recover();
    assert.match(w2.replies(contactId).at(-1) ?? '', /tomorrow noted\. Which branch/);
    assert.equal((await w2.dialogues.meta(contactId))?.turns, 2);
  });

  test('a stored state of a newer version is no state: the next message hands off with state_lost instead of crashing', async () => {
    const w = await boot();
    const { contactId } = await w.say('v3', 'I want to book an appointment');
    const doc = await w.raw.intelligence.get<Record<string, unknown>>(`dialogue:${contactId}`);
    assert.ok(doc);
    await w.raw.intelligence.put({ ...doc, v: 2 });
    await w.say('v3', 'tomorrow');
    const c = await w.conversations.getContact(contactId);
    assert.equal(c.attributes['bot'], 'handed_off');
    assert.equal(c.attributes['handoffReason'], 'state_lost');
    assert.match(String(c.attributes['summary']), /dialogue state unreadable/);
    assert.match(w.replies(contactId).at(-1) ?? '', /Connecting you to an agent/);
    assert.equal(await w.dialogues.meta(contactId), undefined);
    assert.ok(w.events.some((e) => e.type === 'intelligence.handed_off'));
  });

  test('a stored state that fails to decrypt is handed off by recover() after a restart', async () => {
    const w1 = await boot();
    const { contactId } = await w1.say('v4', '我想预约');
    const doc = await w1.raw.intelligence.get<Record<string, unknown>>(`dialogue:${contactId}`);
    assert.ok(doc);
    // Another contact's ciphertext: bound to a different doc id, so authentication fails.
    const { contactId: other } = await w1.say('v4b', '我想预约');
    const theirs = await w1.raw.intelligence.get<{ sealed: string }>(`dialogue:${other}`);
    await w1.raw.intelligence.put({ ...doc, sealed: theirs?.sealed });

    const w2 = await restart();
    assert.equal(await w2.bot.recover(), 2);
    const c = await w2.conversations.getContact(contactId);
    assert.equal(c.attributes['handoffReason'], 'state_lost');
    assert.match(w2.replies(contactId).at(-1) ?? '', /转接人工/);
    assert.equal((await w2.conversations.getContact(other)).attributes['bot'], 'active');
  });

  test('sweep() closes a dialogue idle past botIdleMinutes politely and the next message starts afresh', async () => {
    const w = await boot();
    const { contactId } = await w.say('v5', 'I want to book an appointment');
    clock.advance(29);
    assert.equal(await w.bot.sweep(), 0);
    assert.ok(await w.dialogues.meta(contactId));
    clock.advance(2);
    assert.equal(await w.bot.sweep(), 1);
    assert.equal(await w.dialogues.meta(contactId), undefined);
    assert.match(w.replies(contactId).at(-1) ?? '', /closed after 30 minutes without a reply/);
    assert.ok(w.events.some((e) => e.type === 'intelligence.dialogue_expired'));
    await w.say('v5', 'tomorrow');
    assert.doesNotMatch(w.replies(contactId).at(-1) ?? '', /noted/);
    assert.equal((await w.conversations.getContact(contactId)).attributes['botTurns'] ?? 1, 1);
  });

  test('a message after the idle limit, before any sweep, gets the closing notice and a fresh dialogue', async () => {
    const w = await boot();
    await w.intel.saveSettings({ botIdleMinutes: 5 }, 'test');
    const { contactId } = await w.say('v6', 'I want to book an appointment');
    clock.advance(6);
    await w.say('v6', 'tomorrow');
    const replies = w.replies(contactId);
    assert.match(replies.at(-2) ?? '', /closed after 5 minutes/);
    assert.doesNotMatch(replies.at(-1) ?? '', /noted/);
  });

  test('shredding the customer removes the dialogue state', async () => {
    const w = await boot();
    const { contactId, customerId } = await w.say('v7', 'I want to book an appointment');
    await w.say('v7b', 'I want to book an appointment');
    assert.equal((await w.dialogues.scan()).length, 2);
    await w.customers.shred(customerId, { userId: 'dpo' });
    assert.equal(await w.dialogues.meta(contactId), undefined);
    assert.equal((await w.dialogues.scan()).length, 1, "another customer's dialogue stays");
  });
});
