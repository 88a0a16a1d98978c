/** The sign-in page: name, password and TOTP code, and the first-run password change it reveals. No inline script or style. */
export function renderLoginPage(): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Branchline HQ — sign in</title>` +
    `<script src="/hq-console.js" defer></script></head><body><h1>Branchline HQ</h1>` +
    `<form data-testid="hq-login" data-hq-action="/api/session" data-hq-method="POST" data-hq-public data-hq-next="/">` +
    `<label>Username <input name="username" autocomplete="username" required data-testid="hq-username"></label>` +
    `<label>Password <input name="password" type="password" autocomplete="current-password" required data-testid="hq-password"></label>` +
    `<label>Authenticator code (once MFA is set up) <input name="totp" inputmode="numeric" autocomplete="one-time-code" maxlength="6" data-testid="hq-totp"></label>` +
    `<button type="submit" data-testid="hq-sign-in">Sign in</button><output data-hq-out data-testid="hq-login-error"></output></form>` +
    `<form hidden data-testid="hq-change-password" data-hq-action="/api/password" data-hq-method="POST" data-hq-next="/">` +
    `<p>Replace the one-time password.</p>` +
    `<label>Current password <input name="current" type="password" autocomplete="current-password" required></label>` +
    `<label>New password (12+ characters) <input name="next" type="password" autocomplete="new-password" minlength="12" required></label>` +
    `<button type="submit" data-testid="hq-change">Change password</button><output data-hq-out></output></form>` +
    `</body></html>`
  );
}
