import assert from 'node:assert/strict';
import { test } from 'node:test';
import { HQ_CONSOLE_JS } from './client-script.ts';

test('HQ_CONSOLE_JS parses as JavaScript (escapes inside its template literal survive)', () => {
  assert.doesNotThrow(() => new Function(HQ_CONSOLE_JS));
});
