import { FlowsError } from './errors.ts';
import type { FlowDefinition, FlowIO, FlowOutcome, RunOptions } from './types.ts';

type Attrs = Record<string, string | number | boolean>;

/**
 * Runs a validated flow against a channel's FlowIO until a terminal node
 * (enqueue, transfer, hangup). The PCI rule lives here, not in the channel: a
 * `collect` with `pci` pauses recording for exactly that step.
 */
export async function runFlow(
  flow: FlowDefinition,
  io: FlowIO,
  options: RunOptions = {},
): Promise<FlowOutcome> {
  const vars: Record<string, string> = { ...(options.vars ?? {}) };
  const attributes: Attrs = {};
  const intents = flow.intents ?? {};
  let id = flow.start;
  for (let step = 0; step < (options.maxSteps ?? 200); step++) {
    const node = flow.nodes[id];
    if (!node) throw new FlowsError('FLOWS_INVALID', `node ${id} does not exist`, { node: id });
    options.onNode?.(id, node);
    switch (node.type) {
      case 'say':
        await io.say(interpolate(node.text, vars), flow.language);
        id = node.next;
        break;
      case 'play':
        await io.play(node.prompt);
        id = node.next;
        break;
      case 'menu': {
        let next = node.default;
        for (let attempt = 0; attempt <= (node.retries ?? 1); attempt++) {
          if (node.prompt) await io.say(interpolate(node.prompt, vars), flow.language);
          const d = await io.digits({ max: 1, timeoutMs: node.timeoutMs ?? 8000 });
          const hit = d ? node.options[d] : undefined;
          if (hit) {
            vars.menu = d;
            next = hit;
            break;
          }
        }
        id = next;
        break;
      }
      case 'collect': {
        if (node.pci) await io.pauseRecording(`pci:${id}`);
        try {
          if (node.prompt) await io.say(interpolate(node.prompt, vars), flow.language);
          vars[node.variable] = await io.digits({
            max: node.maxDigits,
            timeoutMs: node.timeoutMs ?? 15_000,
            ...(node.terminator ? { terminator: node.terminator } : {}),
          });
        } finally {
          if (node.pci) await io.resumeRecording(`pci:${id}`);
        }
        id = node.next;
        break;
      }
      case 'listen': {
        if (node.prompt) await io.say(interpolate(node.prompt, vars), flow.language);
        const grammar = Object.fromEntries(node.intents.map((i) => [i, intents[i] ?? []]));
        const heard = await io.listen({
          intents: grammar,
          timeoutMs: node.timeoutMs ?? 8000,
          lang: flow.language,
        });
        vars.heard = heard.text;
        const target = heard.intent ? node.next[heard.intent] : undefined;
        if (target && heard.intent) {
          vars.intent = heard.intent;
          attributes.intent = heard.intent;
          id = target;
        } else id = node.fallback;
        break;
      }
      case 'branch':
        id = node.cases[vars[node.variable] ?? ''] ?? node.default;
        break;
      case 'hours':
        id = (await (options.isOpen?.(node.queue, node.calendar) ?? true)) ? node.open : node.closed;
        break;
      case 'lookup': {
        const fn = options.lookups?.[node.lookup];
        vars[node.variable] = fn ? await fn(vars) : '';
        id = node.next;
        break;
      }
      case 'set':
        Object.assign(attributes, node.attributes);
        id = node.next;
        break;
      case 'enqueue':
        return {
          kind: 'enqueue',
          queue: node.queue,
          priority: node.priority ?? 0,
          attributes,
          announceEverySeconds: node.announceEverySeconds ?? 60,
          language: flow.language,
          ...(node.holdMusic ? { holdMusic: node.holdMusic } : {}),
        };
      case 'voicemail':
        if (node.prompt) await io.say(interpolate(node.prompt, vars), flow.language);
        await io.voicemail({ maxMs: node.maxMs ?? 60_000 });
        if (!node.next) return { kind: 'hangup', attributes };
        id = node.next;
        break;
      case 'transfer':
        return { kind: 'transfer', target: node.target, attributes };
      case 'hangup':
        return { kind: 'hangup', attributes };
    }
  }
  throw new FlowsError('FLOWS_LOOP', `flow ${flow.id} ran more than ${options.maxSteps ?? 200} steps`);
}

/** `{name}` placeholders from flow variables; unknown names become empty. */
function interpolate(text: string, vars: Record<string, string>): string {
  return text.replace(/\{([a-zA-Z_][a-zA-Z0-9_]*)\}/g, (_m, k: string) => vars[k] ?? '');
}
