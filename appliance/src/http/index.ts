/**
 * HTTP: the hono app, auth/CSRF middleware, one error mapping, the WebSocket gateway.
 * @example
 * const app = createApp({ config, resolveSession, health, mount: [['/api', identityRoutes(identity)]] });
 * serve({ fetch: app.fetch, port: 8080 });
 */
export * from './guards.ts';
export * from './errors.ts';
export { createRouter } from './router.ts';
export { createApp } from './app.ts';
export type { AppOptions, HealthSnapshot } from './app.ts';
export { WsGateway, WS_SESSION_ENDED } from './ws-gateway.ts';
export type * from './types.ts';
export { SESSION_COOKIE, CSRF_HEADER } from './types.ts';
