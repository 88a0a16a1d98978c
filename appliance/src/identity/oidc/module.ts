import type { BranchModule } from '../../modules.ts';
import { oidcRoutes } from './routes.ts';
import { OidcSignIn } from './service.ts';

/**
 * Single sign-on with OpenID Connect (issue 15): mounts `/api/auth/oidc/*`;
 * with BRANCHLINE_OIDC_ISSUER unset only the config probe answers (enabled: false).
 */
export const oidcModule: BranchModule = {
  name: 'oidc',
  async init(ctx) {
    const cfg = ctx.config.oidc;
    const sso = cfg ? ctx.services.identity.attachSso((core) => new OidcSignIn(core, cfg)) : undefined;
    return { routes: [oidcRoutes(sso)] };
  },
};
