/**
 * HTTP: the hono app, auth/CSRF middleware, one error mapping, the WebSocket gateway.
 * @example
 * const app = createApp({ config, resolveSession, health, mount: [['/api', identityRoutes(identity)]] });
 * serve({ fetch: app.fetch, port: 8080 });
 */

export type { AppOptions, HealthSnapshot } from './app.ts';
export { createApp } from './app.ts';
export * from './errors.ts';
export * from './guards.ts';
export { localCaRoute } from './local-ca.ts';
export {
  cursorAfter,
  NextCursor,
  PAGE_DEFAULT,
  PAGE_MAX,
  PageQuery,
  type PageRequest,
  pageOf,
} from './page.ts';
export { createRouter } from './router.ts';
export type { NodeServers, PublicRoute, UpgradeHandler } from './serve-node.ts';
export { httpsRedirect, serveNode } from './serve-node.ts';
export { acceptedEncoding, fileResponse, IMMUTABLE, type StaticEncoding } from './static-file.ts';
export { staticSpa } from './static-node.ts';
export { assertWellFormedText, decodeUtf8, textProblem } from './text.ts';
export type * from './types.ts';
export { CSRF_HEADER, SESSION_COOKIE } from './types.ts';
export { WS_SESSION_ENDED, WsGateway } from './ws-gateway.ts';
