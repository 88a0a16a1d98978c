import { computed, signal } from '@preact/signals';
import { ApiClient, ApiError } from './data/api.ts';
import { logout as apiLogout, fetchMe, fetchSession, type Me } from './data/auth.ts';
import { wipeLocalData } from './data/local-wipe.ts';
import { SessionSocket } from './data/session-socket.ts';
import { applyBranchTimeZone } from './i18n/format.ts';
import { applyBranchLocale } from './i18n/index.ts';
import { PANELS, type PanelEntry } from './panels/registry.ts';

/** Where the sign-in flow stands; only 'shell' shows the app proper. */
export type Stage = 'loading' | 'login' | 'password' | 'mfa' | 'shell';
/** 'home' or the `route` of an entry in panels/registry.ts. */
export type Route = string;

export const me = signal<Me | undefined>(undefined);
export const stage = signal<Stage>('loading');
/** Why the last session ended (server reason or 'expired'); shown on the login screen. */
export const endedReason = signal<string | undefined>(undefined);
/** True while the live-update socket is down and retrying. */
export const offline = signal(false);
export const route = signal<Route>(routeFromPath(location.pathname));

export const api = new ApiClient({ onUnauthenticated: () => endSession('expired') });

let socket: SessionSocket | undefined;

/** A domain event the appliance pushed to this console (addressed or permission-scoped). */
export interface ConsoleEvent {
  id?: string;
  type: string;
  at?: string;
  data: Record<string, unknown>;
}
type EventListener = (event: ConsoleEvent) => void;
const listeners = new Set<{ match: string | RegExp; fn: EventListener }>();
/** The latest pushed event; pages may read it instead of opening their own /api/ws socket. */
export const lastEvent = signal<ConsoleEvent | undefined>(undefined);

/**
 * Subscribes to events pushed over the one console socket. `match` is an exact
 * type, a RegExp, or '*'. Returns the unsubscribe function (use it as an effect cleanup).
 * @example
 * useEffect(() => onEvent(/^routing\.offer_/, () => void refresh()), []);
 */
export function onEvent(match: string | RegExp, fn: EventListener): () => void {
  const entry = { match, fn };
  listeners.add(entry);
  return () => {
    listeners.delete(entry);
  };
}

/** Hands a pushed frame to the listeners; exported so tests and the socket share one path. */
export function dispatchPushed(message: Record<string, unknown>): void {
  const e = message['event'];
  if (message['type'] !== 'event' || typeof e !== 'object' || e === null) return;
  const event = e as ConsoleEvent;
  if (typeof event.type !== 'string') return;
  lastEvent.value = event;
  for (const l of [...listeners]) {
    const hit =
      l.match === '*' || (typeof l.match === 'string' ? l.match === event.type : l.match.test(event.type));
    if (!hit) continue;
    try {
      l.fn(event);
    } catch {
      // one page's broken listener must not starve the others
    }
  }
}

export const can = (permission: string): boolean => me.value?.permissions.includes(permission) ?? false;

export const allowedPanels = computed<PanelEntry[]>(() =>
  PANELS.filter((p) => p.permissions.some((perm) => can(perm))),
);

function routeFromPath(path: string): Route {
  const first = path.split('/')[1] ?? '';
  return PANELS.some((p) => p.route === first) ? first : 'home';
}

export function navigate(next: Route): void {
  route.value = next;
  const path = next === 'home' ? '/' : `/${next}`;
  if (location.pathname !== path) history.pushState(null, '', path);
}

addEventListener('popstate', () => {
  route.value = routeFromPath(location.pathname);
});

/** Moves to the stage a session calls for. */
function enter(current: Me): void {
  me.value = current;
  endedReason.value = undefined;
  if (current.mustChangePassword) stage.value = 'password';
  else if (current.mfaSetupRequired) stage.value = 'mfa';
  else {
    stage.value = 'shell';
    startSocket();
    void api
      .get<{ language?: string; timeZone?: string }>('/api/branch')
      .then((b) => {
        applyBranchLocale(b.language);
        applyBranchTimeZone(b.timeZone);
      })
      .catch(() => undefined);
  }
}

/** Reads the session and moves to the stage it calls for; 401 lands on login via the api hook. */
export async function refreshSession(): Promise<void> {
  enter(await fetchMe(api));
}

/** First load: asks whether a session exists without provoking a 401 (the browser would log it). */
export async function boot(): Promise<void> {
  try {
    const current = await fetchSession(api);
    if (current) enter(current);
    else toLogin();
  } catch {
    toLogin();
  }
}

const signOutHooks = new Set<() => Promise<void>>();

/**
 * Registers work to finish before the local working set is deleted whenever
 * nobody is signed in (e.g. closing an open RxDB replica). Returns the unregister function.
 * @example
 * onSignedOut(() => replica.forget());
 */
export function onSignedOut(hook: () => Promise<void>): () => void {
  signOutHooks.add(hook);
  return () => {
    signOutHooks.delete(hook);
  };
}

let wiping: Promise<void> = Promise.resolve();

/**
 * The login screen, with no customer data left behind: runs at sign-out, on
 * any 401 (expiry), when the socket reports the session ended (freeze, logout
 * elsewhere) and on a load without a session (a tab closed while signed in).
 */
function toLogin(): void {
  stage.value = 'login';
  wiping = wiping.then(async () => {
    await Promise.allSettled([...signOutHooks].map((hook) => hook()));
    await wipeLocalData().catch(() => undefined);
  });
}

/** Resolves once the last wipe of local data has finished (for tests and the bench). */
export const localDataWiped = (): Promise<void> => wiping;

/** Leaves the app for the login screen; a reason is shown only if someone was signed in. */
export function endSession(reason: string | undefined): void {
  socket?.close();
  socket = undefined;
  offline.value = false;
  const wasSignedIn = me.value !== undefined;
  me.value = undefined;
  api.clearCsrfToken();
  if (wasSignedIn && reason) endedReason.value = reason;
  toLogin();
}

export async function signOut(): Promise<void> {
  let endSessionUrl: string | undefined;
  try {
    endSessionUrl = await apiLogout(api);
  } catch {
    // the session is gone either way; the server ends it on its side or it already ended
  }
  endSession(undefined);
  // An SSO session also ends at the identity provider (RP-initiated logout), once local data is gone.
  if (endSessionUrl !== undefined) {
    await localDataWiped();
    location.assign(endSessionUrl);
  }
}

function startSocket(): void {
  if (socket && !socket.closed) return;
  socket = new SessionSocket(SessionSocket.urlFor(location), {
    onEnded: (reason) => endSession(reason),
    onMessage: dispatchPushed,
    onStatus: (connected) => {
      offline.value = !connected;
    },
    beforeReconnect: async () => {
      try {
        await fetchMe(api);
        return true;
      } catch (e) {
        return !(e instanceof ApiError && e.status === 401);
      }
    },
  }).start();
}
