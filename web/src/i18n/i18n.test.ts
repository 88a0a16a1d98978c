import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ERROR_CODES } from '../../../appliance/src/contracts/index.ts';
import { NETWORK_ERROR, UNKNOWN_ERROR } from '../data/api.ts';
import { PERMISSIONS } from '../data/roles.ts';
import { en } from './en.ts';
import { errorText, LOCALES, MESSAGES, pickLocale, roleName, sessionEndedText, translate } from './index.ts';
import { zhCN } from './zh-CN.ts';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

test('zh-CN and en have exactly the same keys', () => {
  assert.deepEqual(Object.keys(zhCN).sort(), Object.keys(en).sort());
});

test('no message in any locale is empty or only whitespace', () => {
  for (const lang of LOCALES) {
    for (const [key, text] of Object.entries(MESSAGES[lang])) {
      assert.ok(text.trim().length > 0, `${lang} ${key} is empty`);
    }
  }
});

test('every zh-CN message uses the same placeholders as its en original', () => {
  for (const [key, text] of Object.entries(en)) {
    assert.deepEqual(placeholders(zhCN[key as keyof typeof en]), placeholders(text), key);
  }
});

test('zh-CN messages are translated rather than copied from en, except proper names', () => {
  const same = Object.keys(en).filter((k) => zhCN[k as keyof typeof en] === en[k as keyof typeof en]);
  assert.deepEqual(same, ['app.name']);
});

test('every permission and built-in role has a label in both locales', () => {
  for (const p of PERMISSIONS) assert.ok(`perm.${p}` in en, `perm.${p} missing`);
  assert.equal(roleName('agent', 'zh-CN'), '坐席');
  assert.equal(roleName('auditor', 'zh-CN'), '审计员');
  assert.equal(roleName('night-shift', 'zh-CN'), 'night-shift');
});

test('errorText() translates known codes and falls back to the generic message for unknown ones', () => {
  assert.equal(errorText('IDENTITY_THROTTLED', 'en'), en['error.IDENTITY_THROTTLED']);
  assert.equal(errorText('IDENTITY_BAD_CREDENTIALS', 'zh-CN'), '用户名或密码错误。');
  assert.equal(errorText('SOMETHING_NEW', 'zh-CN'), zhCN['error.generic']);
  assert.equal(errorText(undefined, 'en'), en['error.generic']);
  // A key outside the error namespace must not leak through as an "error".
  assert.equal(errorText('toString', 'en'), en['error.generic']);
});

test('translate() fills placeholders and leaves unknown ones visible', () => {
  assert.equal(translate('en', 'users.otpTitle', { username: 'li.na' }), 'One-time password for li.na');
  assert.equal(translate('zh-CN', 'users.otpTitle', {}), '{username} 的一次性密码');
});

test('sessionEndedText() has a message for every server reason and a fallback', () => {
  for (const reason of ['logout', 'idle', 'frozen', 'replaced']) {
    assert.notEqual(sessionEndedText(reason, 'en'), en['session.ended.expired'], reason);
  }
  assert.equal(sessionEndedText('weird', 'zh-CN'), zhCN['session.ended.expired']);
});

test('pickLocale() prefers the saved choice, then any Chinese browser language, else en', () => {
  assert.equal(pickLocale('en', 'zh-CN'), 'en');
  assert.equal(pickLocale(null, 'zh-TW'), 'zh-CN');
  assert.equal(pickLocale(undefined, 'zh'), 'zh-CN');
  assert.equal(pickLocale('fr', 'de-DE'), 'en');
  assert.equal(pickLocale(null, undefined), 'en');
});

test('every error code the appliance can send has its own en and zh-CN text', () => {
  const missing = [...ERROR_CODES, NETWORK_ERROR, UNKNOWN_ERROR].filter(
    (code) =>
      !(`error.${code}` in en) ||
      errorText(code, 'en') === en['error.generic'] ||
      errorText(code, 'zh-CN') === zhCN['error.generic'],
  );
  assert.deepEqual(missing, [], 'add error.<CODE> to web/src/i18n/errors.en.ts and errors.zh-CN.ts');
});

test('zh-CN error texts hold no English words beyond product acronyms', () => {
  const ACRONYMS = /\b(?:CRM|CSV|UTF-8|HQ|SIP|TLS|IP|CA|SIEM|SRTP|RTP|UDP|TCP)\b/g;
  const english = Object.entries(zhCN)
    .filter(([key, text]) => key.startsWith('error.') && /[A-Za-z]{2,}/.test(text.replace(ACRONYMS, '')))
    .map(([key, text]) => `${key}: ${text}`);
  assert.deepEqual(english, []);
});
