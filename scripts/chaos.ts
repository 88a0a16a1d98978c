// `npm run chaos` — issue 10, "no contact lost, no crash". Starts one appliance
// and, all at once: duplicate and reordered WeChat/WeCom callbacks, SMTP with a
// mail corpus and malformed MIME, web-chat sockets dropping mid-message, sipp
// calls switching SSRC and hanging up early, a REGISTER flood during a trunk
// call, API writes — while the appliance is killed with SIGKILL at random
// moments and restarted. Then: no unexpected exit, every acknowledged item
// found exactly once, attachments stored or quarantined, the audit chain verifies.
//
//   npm run chaos -- --scale 2 --kills 2 [--no-big-pdf]
//
// Progress goes to stderr; the last stdout line is the JSON summary. Exit 1 when
// lost, duplicated or unexpected_exits > 0 or the audit chain fails; 2 on bad flags.
import { parseArgs } from 'node:util';
import { runChaos } from './chaos/run.ts';

const USAGE =
  'usage: npm run chaos -- [--scale N (1-10, default 2)] [--kills N (0-20, default 2)] [--no-big-pdf]';

function options() {
  const { values } = parseArgs({
    options: {
      scale: { type: 'string', default: process.env['CHAOS_SCALE'] ?? '2' },
      kills: { type: 'string', default: process.env['CHAOS_KILLS'] ?? '2' },
      'no-big-pdf': { type: 'boolean', default: false },
    },
  });
  const scale = Number(values.scale);
  const kills = Number(values.kills);
  if (!Number.isInteger(scale) || scale < 1 || scale > 10)
    throw new RangeError(`Cannot use --scale "${values.scale}": ${USAGE}`);
  if (!Number.isInteger(kills) || kills < 0 || kills > 20)
    throw new RangeError(`Cannot use --kills "${values.kills}": ${USAGE}`);
  return { scale, kills, bigPdf: !values['no-big-pdf'] };
}

let parsed: ReturnType<typeof options>;
try {
  parsed = options();
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(2);
}
const t0 = Date.now();
try {
  const summary = await runChaos({
    ...parsed,
    log: (line) => process.stderr.write(`[chaos +${((Date.now() - t0) / 1000).toFixed(1)}s] ${line}\n`),
  });
  const failed =
    summary.lost > 0 || summary.duplicated > 0 || summary.unexpected_exits > 0 || !summary.audit_ok;
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  process.exit(failed ? 1 : 0);
} catch (err) {
  // The run itself broke (the appliance never came up, the checks could not read the API):
  // still one JSON line, so a caller never mistakes it for a pass.
  process.stderr.write(`${(err as Error).stack}\n`);
  process.stdout.write(`${JSON.stringify({ error: (err as Error).message.slice(0, 2000) })}\n`);
  process.exit(1);
}
