/**
 * Configuration: schema with defaults, validated once, frozen.
 * @example
 * const config = loadConfig({ BRANCHLINE_HTTP_PORT: '9000' });
 * config.httpPort; // 9000
 */
export { type EffectiveSetting, effectiveSettings, maskSecret } from './effective.ts';
export { ConfigError, configFromProcess, effectiveFromProcess, loadConfig } from './load.ts';
export { type Program, rawSetting, SETTINGS, type Setting, setting } from './settings.ts';
export { renderSettingsTable, withSettingsTable } from './settings-table.ts';
export type { Config, DirectoryConfig, ImapConfig, OidcConfig, SiemConfig } from './types.ts';
