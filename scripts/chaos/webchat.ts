// Web-chat visitors whose sockets drop mid-message: the frame is written and
// the TCP connection torn down at once, before the server's echo. The visitor
// reconnects with the same token and resends the same client id (as the
// widget does) until the server echoes it. Acknowledged = the echoed frame.
import { WebSocket } from 'ws';
import { randomId } from '../../web/src/widget/protocol.ts';
import { type ChaosContext, retrying, sleep } from './context.ts';
import { token } from './ledger.ts';

interface Frame {
  t: string;
  cid?: string;
  open?: boolean;
  code?: string;
}

/** One socket: hello, then `frame`; resolves with whether the server echoed the cid (undefined = dropped by us). */
function exchange(
  url: string,
  visitor: string,
  frame: Record<string, unknown>,
  dropAfterSend: boolean,
): Promise<{ echoed: boolean; error?: string; open?: boolean }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    let open: boolean | undefined;
    const done = (r: { echoed: boolean; error?: string }) => {
      clearTimeout(timer);
      ws.removeAllListeners();
      ws.on('error', () => undefined);
      ws.terminate();
      resolve({ ...r, ...(open === undefined ? {} : { open }) });
    };
    const timer = setTimeout(() => done({ echoed: false, error: 'no echo in 10 s' }), 10_000);
    ws.on('error', () => done({ echoed: false }));
    ws.on('close', () => done({ echoed: false }));
    ws.on('open', () => ws.send(JSON.stringify({ t: 'hello', token: visitor, lastSeq: 0 })));
    ws.on('message', (raw) => {
      let f: Frame;
      try {
        f = JSON.parse(String(raw)) as Frame;
      } catch {
        return;
      }
      if (f.t === 'welcome') {
        open = f.open;
        const out =
          open === false ? { ...frame, t: 'leave', name: 'Chaos Visitor', phone: '+8613800138000' } : frame;
        ws.send(JSON.stringify(out));
        // Mid-message: the frame is handed to the kernel and the connection is cut at once.
        if (dropAfterSend) done({ echoed: false });
        return;
      }
      if (f.t === 'msg' && f.cid === frame['cid']) done({ echoed: true });
      if (f.t === 'error') done({ echoed: false, error: f.code ?? 'error' });
    });
  });
}

/** One visitor sends `count` messages; about half of the sends are cut mid-message. */
export async function webchatVisitor(ctx: ChaosContext, count = 5): Promise<void> {
  const scenario = 'webchat-drop';
  ctx.ledger.ran(scenario);
  const url = `${ctx.app.base.replace('http', 'ws')}/widget/ws`;
  const visitor = randomId(24);
  for (let i = 0; i < count; i++) {
    const t = token('chat');
    const frame = { t: 'send', cid: randomId(12), text: `${t} 我想查询余额 ${i}` };
    let tries = 0;
    const acked = await retrying(ctx, async () => {
      const r = await exchange(url, visitor, frame, tries++ < 2 && Math.random() < 0.5);
      if (r.error) ctx.ledger.problem(scenario, `send ${i}: ${r.error}`);
      return r.echoed;
    });
    ctx.ledger.ack({
      kind: 'message',
      key: t,
      channel: 'webchat',
      scenario,
      ...(acked ? {} : { optional: true }),
    });
    await sleep(20);
  }
}
