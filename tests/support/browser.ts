import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium } from 'playwright-core';
import { ROOT } from './appliance.ts';

export const ARTIFACTS = path.join(ROOT, 'test-artifacts');

/** Debian's Chromium, headless, with the flags this closed network needs. */
export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...extraArgs,
    ],
  });
}

/**
 * A browser context already signed in as `client` (its session cookie copied
 * over), for tests whose subject is a page rather than the sign-in itself.
 */
export async function signedInContext(
  browser: Browser,
  client: { cookie: string },
  options: { locale?: string } = {},
): Promise<BrowserContext> {
  const ctx = await browser.newContext({ locale: options.locale ?? 'en-US', ignoreHTTPSErrors: true });
  const [name = '', value = ''] = client.cookie.split(/=(.*)/s);
  await ctx.addCookies([
    { name, value, domain: '127.0.0.1', path: '/', secure: true, httpOnly: true, sameSite: 'Strict' },
  ]);
  return ctx;
}
