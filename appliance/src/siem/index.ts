/**
 * SIEM forwarding: every audit record also goes, in sequence and at least
 * once, to the firm's syslog collector as RFC 5424 over TLS (RFC 5425) or TCP
 * (RFC 6587 octet counting), resuming from a durable cursor.
 * @example
 * export const MODULES = [...others, siemModule]; // active when BRANCHLINE_SIEM_URL is set
 * services.siem?.status(); // { state: 'connected', cursor: 41, lastSeq: 42, backlog: 1, … }
 */

/**
 * The forwarder, for wiring it by hand (tests).
 * @example
 * const f = new SiemForwarder({ config, source, cursor: new CursorStore(store, 'tcp://h:514'), syslog, alarm });
 * await f.start();
 */
export { CursorStore } from './cursor-store.ts';
export type { SiemErrorCode } from './errors.ts';
/** Coded errors: SIEM_UNREACHABLE, SIEM_CERTIFICATE_REJECTED, SIEM_CA_UNREADABLE, SIEM_CONNECTION_LOST. */
export { SiemError } from './errors.ts';
/**
 * RFC 5424 message and octet-counting frame of one audit record.
 * @example
 * socket.write(frame(toSyslog(record, { hostname: 'branch-01', branchId: 'B01' })));
 */
export { frame, SD_ID, toSyslog } from './format.ts';
export type { ForwarderOptions } from './forwarder.ts';
export { SiemForwarder } from './forwarder.ts';
export { siemModule } from './module.ts';
export type {
  Cursor,
  RecordSource,
  SiemAlarm,
  SiemService,
  SiemState,
  SiemStatus,
  SiemTarget,
} from './types.ts';
