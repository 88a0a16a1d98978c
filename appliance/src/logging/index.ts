/**
 * Namespaced JSON-lines logger on stderr. Identifiers go in brackets in the
 * message (`agent unreachable [agentId:a7]`); fields whose names look secret
 * are masked.
 * @example
 * const log = createLogger('routing');
 * log.info('offer sent [agentId:a7]', { contactId: 'c42' });
 */

export type { Logger, LogLevel } from './logger.ts';
export { createLogger, setLogLevel, setLogSink } from './logger.ts';
