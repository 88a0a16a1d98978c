import {
  type BranchSettings,
  SETUP_STEPS,
  type SetupStep,
  type SetupView,
  type StepState,
} from '../../../../appliance/src/contracts/index.ts';
import type { ApiClient } from '../../data/api.ts';
import type { Calendar } from '../../data/calendar.ts';

export type { BranchSettings, SetupView, StepState } from '../../../../appliance/src/contracts/index.ts';
export type { Calendar };
/** The wizard's steps, in order (the server's list). */
export const STEPS = SETUP_STEPS;
export type Step = SetupStep;

export interface Workflow {
  id: string;
  name: string;
  isDefault?: boolean;
  calendarId?: string;
  defaultTarget?: { queue: string; agentExpression?: string };
  [k: string]: unknown;
}

export interface RoutingConfigFull {
  queues: Array<{ id: string; name: string; agentExpression?: string }>;
  skills: Array<{ id: string; name: string }>;
  workflows: Workflow[];
  calendars: Calendar[];
}

export const fetchSetup = (api: ApiClient) => api.get<SetupView>('/api/setup');
export const setStep = (api: ApiClient, step: Step, state: StepState) =>
  api.put<SetupView>(`/api/setup/steps/${step}`, { state });
export const saveBranch = (api: ApiClient, b: BranchSettings) => api.put<SetupView>('/api/setup/branch', b);
export const saveWidgetLook = (api: ApiClient, w: { greeting: string; colour: string; privacy?: string }) =>
  api.put<SetupView>('/api/setup/widget', w);
export const fetchRouting = (api: ApiClient) => api.get<RoutingConfigFull>('/api/routing/config');
export const putRouting = (api: ApiClient, kind: string, id: string, body: object) =>
  api.put(`/api/routing/${kind}/${encodeURIComponent(id)}`, body);
export const saveWebchatOrigins = (api: ApiClient, origins: string[]) =>
  api.put('/api/webchat/settings', { origins });
export const fetchWebchatOrigins = async (api: ApiClient) =>
  (await api.get<{ origins: string[] }>('/api/webchat/settings')).origins;
export const createDeskPhone = (
  api: ApiClient,
  body: { username: string; password: string; userId: string },
) => api.post('/api/voice/sip-accounts', body);
export const saveTrunk = (
  api: ApiClient,
  body: { name: string; host: string; port?: number; username: string; password: string },
) => api.put('/api/voice/trunks', body);

/** The default workflow: the one marked default, else 'default' (what a fresh appliance seeds). */
export function defaultWorkflow(c: RoutingConfigFull): Workflow | undefined {
  return (
    c.workflows.find((w) => w.isDefault) ?? c.workflows.find((w) => w.id === 'default') ?? c.workflows[0]
  );
}

/** An id from a name when it is plain ASCII (`Credit cards` → `credit-cards`), else empty. */
export function slug(name: string): string {
  return name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
}

/** The one script tag a web page embeds the chat widget with. */
export function embedSnippet(origin: string, o: { lang: string; greeting: string; colour: string }): string {
  const attr = (v: string) => v.replaceAll('&', '&amp;').replaceAll('"', '&quot;').replaceAll('<', '&lt;');
  const greeting = o.greeting ? ` data-greeting="${attr(o.greeting)}"` : '';
  return `<script src="${origin}/widget/widget.js" data-branchline data-lang="${o.lang}"${greeting} data-colour="${attr(o.colour)}" async></script>`;
}
