import type { LoginResult } from '../types.ts';

/** Why a single sign-on was refused (audited as `auth.sso_refused`). */
export type SsoRefusal = 'invalid_response' | 'no_role' | 'username_taken' | 'frozen' | 'mfa';

declare module '../../events/catalogue.ts' {
  interface EventCatalogue {
    /** A user signed in through the OpenID Connect IdP; `mfa`: who proved the second factor. */
    'auth.sso_signed_in': { userId: string; subject: string; mfa: 'idp' | 'totp' | 'none' };
    'auth.sso_refused': { subject: string; reason: SsoRefusal };
    /** The IdP ended the user's session (back-channel logout); `sessions` appliance sessions ended. */
    'auth.sso_logged_out': { userId: string; sessions: number };
  }
}

/** What the callback leads to: a session, or the TOTP step first. */
export type CallbackResult = ({ kind: 'session' } & LoginResult) | { kind: 'mfa'; ticket: string };

/** Verified claims the sign-in uses (ID token over userinfo). */
export type Claims = Readonly<Record<string, unknown>> & { sub: string };
