import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

// Ports handed out by the OS for listen(0), bind(0) and outgoing connections
// come from the ephemeral range (32768–60999 on Debian). A port picked there
// and closed again can be taken by any of them before the test binds it —
// CI once lost a run to exactly that EADDRINUSE. So tests pick from below the
// ephemeral range, at random, and probe TCP and UDP before handing it out.
const LOW = 20_000;
const HIGH = 32_700;
const handedOut = new Set<number>();

function probeTcp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

function probeUdp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => {
      s.close();
      resolve(false);
    });
    s.bind(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** A port on 127.0.0.1 free for both TCP and UDP right now, outside the OS's ephemeral range. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW));
    if (handedOut.has(port)) continue;
    if ((await probeTcp(port)) && (await probeUdp(port))) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error(`no free port between ${LOW} and ${HIGH} after 200 tries`);
}
