/**
 * Flow definitions: one JSON graph of nodes, run by one interpreter for IVR
 * calls now and the chatbot later. Channel-specific work goes through FlowIO.
 */
export type Lang = 'en' | 'zh';

export type FlowNode =
  | { type: 'say'; text: string; next: string }
  | { type: 'play'; prompt: string; next: string }
  | {
      type: 'menu';
      prompt?: string;
      options: Record<string, string>;
      timeoutMs?: number;
      retries?: number;
      default: string;
    }
  | {
      type: 'collect';
      prompt?: string;
      variable: string;
      maxDigits: number;
      terminator?: string;
      timeoutMs?: number;
      /** Card numbers etc.: recording is paused for the step and cannot be resumed inside it. */
      pci?: boolean;
      next: string;
    }
  | {
      type: 'listen';
      prompt?: string;
      intents: string[];
      timeoutMs?: number;
      next: Record<string, string>;
      fallback: string;
    }
  | { type: 'branch'; variable: string; cases: Record<string, string>; default: string }
  | {
      type: 'hours';
      queue?: string;
      /** Routing calendar id; absent = the default workflow's calendar (one calendar for every channel). */
      calendar?: string;
      open: string;
      closed: string;
    }
  | { type: 'lookup'; lookup: string; variable: string; next: string }
  | { type: 'set'; attributes: Record<string, string | number | boolean>; next: string }
  | {
      type: 'enqueue';
      queue: string;
      priority?: number;
      /** Seconds between position/estimated-wait announcements while the caller waits (default 60). */
      announceEverySeconds?: number;
      /** Prompt looped as music on hold (8 kHz μ-law or WAV); the built-in melody when absent. */
      holdMusic?: string;
    }
  | { type: 'voicemail'; prompt?: string; maxMs?: number; next?: string }
  | { type: 'transfer'; target: string }
  | { type: 'hangup' };

export type FlowNodeType = FlowNode['type'];

export interface FlowDefinition {
  id: string;
  name: string;
  language: Lang;
  start: string;
  /** Intent name → example phrases (the listen grammar is built from them). */
  intents?: Record<string, string[]>;
  nodes: Record<string, FlowNode>;
}

export interface StoredFlow extends FlowDefinition {
  version: number;
  savedAt: string;
  savedBy: string;
}

export interface ListenResult {
  text: string;
  intent?: string;
}

/** What a channel offers the interpreter (a call, later a chat session). */
export interface FlowIO {
  say(text: string, lang: Lang): Promise<void>;
  play(prompt: string): Promise<void>;
  /** Resolves with the digits typed (may be '' on timeout). */
  digits(options: { max: number; timeoutMs: number; terminator?: string }): Promise<string>;
  listen(options: {
    intents: Record<string, string[]>;
    timeoutMs: number;
    lang: Lang;
  }): Promise<ListenResult>;
  pauseRecording(reason: string): Promise<void>;
  resumeRecording(reason: string): Promise<void>;
  voicemail(options: { maxMs: number }): Promise<void>;
}

export type FlowOutcome =
  | {
      kind: 'enqueue';
      queue: string;
      priority: number;
      attributes: Record<string, string | number | boolean>;
      announceEverySeconds: number;
      holdMusic?: string;
      language: Lang;
    }
  | { kind: 'transfer'; target: string; attributes: Record<string, string | number | boolean> }
  | { kind: 'hangup'; attributes: Record<string, string | number | boolean> };

/** What a flow may name outside itself (routing's queue and calendar ids); absent = not checked. */
export interface FlowCatalog {
  queues: ReadonlySet<string>;
  calendars: ReadonlySet<string>;
}

/** Pluggable data lookups (e.g. order status by the caller's phone). */
export type FlowLookup = (vars: Readonly<Record<string, string>>) => Promise<string>;

export interface RunOptions {
  lookups?: Record<string, FlowLookup>;
  isOpen?: (queue: string | undefined, calendar?: string) => boolean | Promise<boolean>;
  /** Initial variables (callerId, …). */
  vars?: Record<string, string>;
  /** Called at each node (tracing, tests). */
  onNode?: (id: string, node: FlowNode) => void;
  maxSteps?: number;
}
