/**
 * Configuration: schema with defaults, validated once, frozen.
 * @example
 * const config = loadConfig({ BRANCHLINE_HTTP_PORT: '9000' });
 * config.httpPort; // 9000
 */
export { ConfigError, configFromProcess, loadConfig } from './load.ts';
export type { Config, ImapConfig } from './types.ts';
