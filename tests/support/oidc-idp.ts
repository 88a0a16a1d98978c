// A real OpenID Connect provider (oidc-provider) on 127.0.0.1 over HTTPS from a
// private CA, with a login page driven over HTTP: the form takes a login name
// and whether the user "used a second factor" (then amr = pwd + otp).
import { createServer, type Server } from 'node:https';
import Provider from 'oidc-provider';
import { ensureTlsMaterial } from '../../appliance/src/system/index.ts';
import { tempDataDir } from './appliance.ts';
import { freePort } from './ports.ts';

export interface IdpAccount {
  name: string;
  groups: string[];
}

export interface TestIdp {
  issuer: string;
  caPath: string;
  /** The CA's PEM (for the test's own requests to the IdP). */
  ca: string;
  clientId: string;
  clientSecret: string;
  /** Registers the appliance's URLs (known only once it listens). */
  registerClient(applianceBase: string): void;
  close(): Promise<void>;
}

async function readForm(req: NodeJS.ReadableStream): Promise<URLSearchParams> {
  let text = '';
  for await (const chunk of req) text += chunk;
  return new URLSearchParams(text);
}

const loginPage = (uid: string) =>
  `<!doctype html><form method="post" action="/interaction/${uid}"><input name="login"><input name="mfa" type="checkbox" value="yes"><button>Sign in</button></form>`;

/** Starts the IdP on a free port; the appliance's client is added by registerClient(). */
export async function startIdp(accounts: Record<string, IdpAccount>): Promise<TestIdp> {
  const tmp = await tempDataDir('bl-idp-');
  const tls = await ensureTlsMaterial(tmp.dir);
  const port = await freePort();
  const issuer = `https://127.0.0.1:${port}`;
  const clientId = 'branchline';
  const clientSecret = 'idp-test-secret-0123456789abcdef';
  let provider: Provider | undefined;
  let handler:
    | ((req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void)
    | undefined;

  const server: Server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
    const m = /^\/interaction\/([A-Za-z0-9_-]+)$/.exec(req.url ?? '');
    if (!m || !provider) {
      if (handler) handler(req, res);
      else res.writeHead(503).end();
      return;
    }
    const p = provider;
    void (async () => {
      const details = await p.interactionDetails(req, res);
      if (req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'text/html' }).end(loginPage(details.uid));
        return;
      }
      const form = await readForm(req);
      const accountId = form.get('login') ?? '';
      const amr = form.get('mfa') === 'yes' ? ['pwd', 'otp'] : ['pwd'];
      await p.interactionFinished(
        req,
        res,
        { login: { accountId, amr } },
        { mergeWithLastSubmission: false },
      );
    })().catch((err: unknown) => {
      res.writeHead(500).end(String(err));
    });
  });

  const registerClient = (base: string) => {
    provider = new Provider(issuer, {
      clients: [
        {
          client_id: clientId,
          client_secret: clientSecret,
          redirect_uris: [`${base}/api/auth/oidc/callback`],
          post_logout_redirect_uris: [`${base}/`],
          backchannel_logout_uri: `${base}/api/auth/oidc/backchannel-logout`,
          backchannel_logout_session_required: true,
          grant_types: ['authorization_code'],
          response_types: ['code'],
        },
      ],
      pkce: { required: () => true },
      // Its SSRF guard refuses loopback peers; here the appliance (the back-channel logout target) is one.
      fetch: (url: string, options: RequestInit & { dispatcher?: unknown }) => {
        delete options.dispatcher;
        return fetch(url, options);
      },
      features: {
        devInteractions: { enabled: false },
        backchannelLogout: { enabled: true },
        rpInitiatedLogout: { enabled: true },
      },
      scopes: ['openid', 'profile', 'groups'],
      claims: {
        // amr/acr in every ID token, as Keycloak or Entra ID send them.
        openid: ['sub', 'acr', 'amr'],
        profile: ['name', 'preferred_username'],
        groups: ['groups'],
        acr: null,
        amr: null,
        sid: null,
        auth_time: null,
        iss: null,
      },
      cookies: { keys: ['oidc-test-cookie-key-0123456789'] },
      interactions: {
        url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}`,
      },
      findAccount: async (_ctx: unknown, id: string) => {
        const a = accounts[id];
        if (!a) return undefined;
        return {
          accountId: id,
          claims: async () => ({ sub: id, name: a.name, preferred_username: id, groups: a.groups }),
        };
      },
      // Consent is implied for the appliance (a first-party client): a grant for what it asks.
      loadExistingGrant: async (ctx: {
        oidc: {
          session?: { accountId?: string; grantIdFor(c: string): string | undefined };
          client: { clientId: string };
          params: { scope?: string };
        };
      }) => {
        const accountId = ctx.oidc.session?.accountId;
        if (!accountId) return undefined;
        const p = provider as Provider;
        const existing = ctx.oidc.session?.grantIdFor(ctx.oidc.client.clientId);
        if (existing) {
          const g = await p.Grant.find(existing);
          if (g) return g;
        }
        const grant = new p.Grant({ clientId: ctx.oidc.client.clientId, accountId });
        grant.addOIDCScope(ctx.oidc.params.scope ?? 'openid');
        await grant.save();
        return grant;
      },
    });
    handler = provider.callback();
  };

  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    issuer,
    caPath: tls.caPath,
    ca: tls.ca,
    clientId,
    clientSecret,
    registerClient,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await tmp.cleanup();
    },
  };
}
