// What the appliance acknowledged, and what the clients saw go wrong.

export type Kind = 'message' | 'mail' | 'ticket' | 'customer' | 'call';

export interface Acked {
  kind: Kind;
  /** Unique token, Message-ID, ticket subject or customer id the check looks for. */
  key: string;
  channel: string;
  scenario: string;
  /** Attachment names a mail carried (each must be stored or quarantined for an admin). */
  files?: string[];
  /** Sent but never acknowledged: it may be stored (at most once) or not. */
  optional?: true;
}

export class Ledger {
  readonly acked: Acked[] = [];
  /** Scenario failures that are not loss (a refusal, a wrong answer): reported, not counted as lost. */
  readonly problems: Array<{ scenario: string; what: string }> = [];
  /** Measurements worth a line in the summary. */
  readonly notes: string[] = [];
  readonly scenarios = new Map<string, { runs: number; acked: number; failed: number }>();

  #s(name: string) {
    let s = this.scenarios.get(name);
    if (!s) {
      s = { runs: 0, acked: 0, failed: 0 };
      this.scenarios.set(name, s);
    }
    return s;
  }

  ran(scenario: string): void {
    this.#s(scenario).runs++;
  }

  ack(a: Acked): void {
    this.acked.push(a);
    if (!a.optional) this.#s(a.scenario).acked++;
  }

  problem(scenario: string, what: string): void {
    this.#s(scenario).failed++;
    if (this.problems.filter((p) => p.scenario === scenario).length < 5) {
      this.problems.push({ scenario, what: what.slice(0, 300) });
    }
  }

  get runs(): number {
    let n = 0;
    for (const s of this.scenarios.values()) n += s.runs;
    return n;
  }
}

/** A unique, searchable token: `CHX-<scenario>-<n>-<random>`. */
let counter = 0;
const RUN = Math.random().toString(36).slice(2, 7);
export function token(scenario: string): string {
  counter++;
  return `CHX${RUN}${scenario.replace(/[^a-z0-9]/gi, '')}N${counter}Z`;
}
