// One synthetic web chat over the widget WebSocket protocol (the same
// WidgetSession the embedded widget runs): pre-chat details, a question and a
// detail, then — when agents are working — wait for the answer and the close,
// and maybe rate the chat.
import { randomInt } from 'node:crypto';
import { WebSocket } from 'ws';
import { randomId, type SocketLike, WidgetSession } from '../../web/src/widget/protocol.ts';
import { persona, topic } from './synthetic.ts';

export interface ChatOutcome {
  sent: boolean;
  answered: boolean;
  closed: boolean;
  csat?: number;
  error?: string;
}

export interface ChatOptions {
  wsUrl: string;
  /** Wait for an agent's answer and the close (agents are signed in). */
  expectAgent: boolean;
  /** Epoch ms when the demo stops waiting. */
  deadline: number;
  say: (line: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(ok: () => boolean, deadline: number): Promise<boolean> {
  while (!ok()) {
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
  return true;
}

export async function runChat(n: number, o: ChatOptions): Promise<ChatOutcome> {
  const who = persona();
  const t = topic(who.lang);
  let welcomed = false;
  let answered = false;
  let closed = false;
  let error: string | undefined;
  const session = new WidgetSession({
    url: o.wsUrl,
    token: randomId(24),
    connect: (url) => new WebSocket(url) as unknown as SocketLike,
    onWelcome: () => {
      welcomed = true;
    },
    onMessage: (m) => {
      if (m.dir === 'out') answered = true;
    },
    onState: (s) => {
      if (s === 'closed') closed = true;
    },
    onError: (code) => {
      error = code;
    },
    backoff: (a) => Math.min(2000, 200 * 2 ** a),
  });
  session.start();
  try {
    if (!(await waitFor(() => welcomed, Math.min(o.deadline, Date.now() + 10_000))))
      return { sent: false, answered, closed, error: error ?? 'no welcome from /widget/ws' };
    session.prechat({ name: who.name, phone: who.phone, ...(randomInt(0, 2) ? { email: who.email } : {}) });
    for (const line of t.lines) {
      session.typing(true);
      await sleep(150 + randomInt(0, 350));
      session.send(line);
    }
    const sent = await waitFor(() => session.unconfirmed === 0, Math.min(o.deadline, Date.now() + 15_000));
    if (!sent) return { sent, answered, closed, error: error ?? 'messages not confirmed' };
    o.say(`chat ${n}: ${who.name} (${who.lang}) asks about "${t.subject}"`);
    if (!o.expectAgent) return { sent, answered, closed };
    await waitFor(() => answered, o.deadline);
    // The agent closes soon after answering; a missed push must not hold the run to its deadline.
    if (answered) await waitFor(() => closed, Math.min(o.deadline, Date.now() + 15_000));
    // About two in three customers answer the satisfaction question once the chat closed.
    if (closed && randomInt(0, 3) > 0) {
      const score = randomInt(3, 6);
      session.csat(score);
      await sleep(200);
      if (error === undefined) return { sent, answered, closed, csat: score };
    }
    return { sent, answered, closed, ...(error ? { error } : {}) };
  } finally {
    session.close();
  }
}
