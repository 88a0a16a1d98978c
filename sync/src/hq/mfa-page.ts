import { esc } from './page.ts';

/**
 * The MFA set-up page: the secret as text and as an `otpauth://` URI, the
 * same URI as an inline SVG QR code, and a form that confirms it with a code.
 * The secret is in force only after that confirmation.
 */
export function renderMfaPage(
  options:
    | { username: string; enrolled: true }
    | { username: string; enrolled: false; secret: string; uri: string; qrSvg: string },
): string {
  const head =
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Branchline HQ — MFA</title>` +
    `<script src="/hq-console.js" defer></script></head><body><h1>Two-step sign-in</h1>`;
  if (options.enrolled)
    return `${head}<p data-testid="hq-mfa-enabled">MFA is set up for ${esc(options.username)}.</p><p><a href="/">Back to the console</a></p></body></html>`;
  return (
    head +
    `<p>Every HQ operator signs in with a code from an authenticator app. Scan the code below, or enter the key by hand, then type the 6-digit code the app shows.</p>` +
    `<figure data-testid="hq-mfa-qr">${options.qrSvg}</figure>` +
    `<p>Key: <code data-testid="hq-mfa-secret">${esc(options.secret)}</code></p>` +
    `<p>URI: <code data-testid="hq-mfa-uri">${esc(options.uri)}</code></p>` +
    `<form data-testid="hq-mfa-confirm" data-hq-action="/api/mfa" data-hq-method="POST" data-hq-next="/">` +
    `<label>Code <input name="code" inputmode="numeric" autocomplete="one-time-code" pattern="[0-9]{6}" required data-testid="hq-mfa-code"></label>` +
    `<button type="submit" data-testid="hq-mfa-submit">Confirm</button><output data-hq-out data-testid="hq-mfa-error"></output></form>` +
    `<form data-testid="hq-sign-out" data-hq-action="/api/session" data-hq-method="DELETE" data-hq-next="/login"><button type="submit">Sign out</button></form>` +
    `</body></html>`
  );
}
