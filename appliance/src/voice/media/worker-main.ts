/**
 * Entry of the media worker child process: owns every RTP socket so the main
 * event loop never touches packets. Speaks MediaRequest/WorkerMessage over IPC.
 */
import { loadStreamSodium } from '../recording/sodium.ts';
import { MediaEngine } from './engine.ts';
import type { MediaRequest, WorkerMessage } from './protocol.ts';

// With a callback a failed send (the parent's end of the pipe closed between the
// `connected` check and the write: EPIPE) is reported here instead of being thrown
// as an unhandled 'error' that kills the worker before its recordings are finished.
const send = (m: WorkerMessage): void => {
  if (process.connected) process.send?.(m, undefined, {}, () => undefined);
};

const sodium = await loadStreamSodium();
const engine = new MediaEngine((e) => send({ kind: 'event', ...e }), sodium);

process.on('message', (raw: unknown) => {
  const req = raw as MediaRequest;
  engine.handle(req).then(
    (result) => send({ kind: 'reply', id: req.id, ok: true, result }),
    (err: unknown) =>
      send({ kind: 'reply', id: req.id, ok: false, error: err instanceof Error ? err.message : String(err) }),
  );
});
// The parent went away: finish recordings (FINAL tags) and leave.
process.on('disconnect', () => {
  engine.close();
  process.exit(0);
});
send({ kind: 'event', ev: 'ready' });
