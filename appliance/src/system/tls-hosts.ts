import { networkInterfaces, hostname as osHostname } from 'node:os';

type Interfaces = ReturnType<typeof networkInterfaces>;

const LOOPBACK = /^(127\.|::1$|localhost$|::ffff:127\.)/;
const WILDCARD = new Set(['0.0.0.0', '::', '[::]']);
const HOST_LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** True for a loopback bind address: a developer box, where only localhost names are needed. */
export function isLoopbackBind(bind: string): boolean {
  return LOOPBACK.test(bind);
}

/**
 * The names the server certificate must carry besides localhost/127.0.0.1: the
 * machine's host name and, for a wildcard bind, every non-loopback interface
 * address it listens on (IPv4 for 0.0.0.0; link-local IPv6 excluded: it needs a zone); for a specific bind,
 * that address. A loopback bind needs none. Host name first (it becomes the CN).
 * @example
 * tlsHostsFor('0.0.0.0'); // ['branchline', '10.0.2.15']
 */
export function tlsHostsFor(
  bind: string,
  machine: { interfaces?: Interfaces; hostname?: string } = {},
): string[] {
  if (isLoopbackBind(bind)) return [];
  const hosts: string[] = [];
  const name = (machine.hostname ?? osHostname()).trim().toLowerCase();
  const valid = name.split('.').every((l) => HOST_LABEL.test(l));
  if (name !== '' && name !== 'localhost' && valid && name.length <= 253) hosts.push(name);
  const addresses = new Set<string>();
  if (WILDCARD.has(bind)) {
    for (const list of Object.values(machine.interfaces ?? networkInterfaces())) {
      for (const a of list ?? []) {
        if (a.internal || isLoopbackBind(a.address)) continue;
        // 0.0.0.0 listens on IPv4 only; `::` on both.
        if (a.family === 'IPv6' && (bind === '0.0.0.0' || /^fe[89ab]/i.test(a.address))) continue;
        addresses.add(a.address);
      }
    }
  } else {
    addresses.add(bind);
  }
  return [...hosts, ...[...addresses].sort()];
}
