import type { DomainEvent } from '../events/index.ts';
import { EventBus } from '../events/index.ts';
import { MemoryDocStore } from '../storage/index.ts';
import { PasswordHasher } from './password-hasher.ts';
import type { IdentityOptions } from './service.ts';
import { IdentityService } from './service.ts';

export const T0 = Date.parse('2025-03-01T08:00:00Z');

/** A fake clock in ms, advanced by hand. */
export class Clock {
  t = T0;
  now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface Rig {
  service: IdentityService;
  store: MemoryDocStore;
  bus: EventBus;
  clock: Clock;
  events: DomainEvent[];
  of: (type: string) => DomainEvent[];
}

/** A service over a memory store with a fake clock, recording every event. */
export function rig(
  hasher: PasswordHasher,
  options: IdentityOptions = {},
  store = new MemoryDocStore('identity'),
): Rig {
  const bus = new EventBus();
  const clock = new Clock();
  const events: DomainEvent[] = [];
  bus.subscribe('*', (e) => {
    events.push(e);
  });
  const service = new IdentityService(store, bus, { hasher, now: clock.now, ...options });
  return { service, store, bus, clock, events, of: (type) => events.filter((e) => e.type === type) };
}

/** Shared across a test file: each hash holds 64 MiB, so one pool is plenty. */
export function testHasher(): PasswordHasher {
  return new PasswordHasher({ opslimit: 2 });
}

/** The error a promise rejects with, as a plain object for deep comparison. */
export async function failure(p: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await p;
  } catch (err) {
    const e = err as { name: string; code?: string; status?: number; message: string };
    return { name: e.name, code: e.code, status: e.status, message: e.message };
  }
  throw new Error('Expected a rejection');
}
