import type { SlaPolicy, WorkflowInput } from './types.ts';

/**
 * The workflow every appliance starts with: new → open → L1 → L2 → resolved →
 * closed, with a pending_customer side state that pauses SLA clocks.
 */
export const DEFAULT_WORKFLOW: WorkflowInput = {
  id: 'default',
  name: 'Default support workflow',
  initial: 'new',
  states: [
    { id: 'new', label: 'New', category: 'new' },
    { id: 'open', label: 'Open', category: 'open' },
    { id: 'l1', label: 'L1', category: 'open' },
    { id: 'l2', label: 'L2', category: 'open' },
    { id: 'pending_customer', label: 'Pending customer', category: 'pending' },
    { id: 'resolved', label: 'Resolved', category: 'resolved' },
    { id: 'closed', label: 'Closed', category: 'closed' },
  ],
  transitions: [
    { from: 'new', to: 'open' },
    { from: 'open', to: 'l1' },
    { from: 'l1', to: 'l2', requiredFields: ['diagnosis'], notify: true },
    { from: 'l1', to: 'resolved', requiredFields: ['resolution'], notify: true },
    { from: 'l2', to: 'resolved', requiredFields: ['resolution'], notify: true },
    { from: 'l1', to: 'pending_customer' },
    { from: 'l2', to: 'pending_customer' },
    { from: 'pending_customer', to: 'l1' },
    { from: 'pending_customer', to: 'l2' },
    { from: 'resolved', to: 'closed' },
    { from: 'resolved', to: 'l1' },
  ],
};

/** Weekdays 09:00–18:00 Beijing time; targets in business minutes. */
export const DEFAULT_SLA_POLICY: SlaPolicy = {
  id: 'standard',
  name: 'Standard (weekdays 09:00–18:00 CST)',
  calendar: {
    timeZone: 'Asia/Shanghai',
    weekly: Object.fromEntries(['Mon', 'Tue', 'Wed', 'Thu', 'Fri'].map((d) => [d, [['09:00', '18:00']]])),
    holidays: [],
  },
  targets: {
    urgent: { firstResponseMinutes: 30, nextResponseMinutes: 60, resolutionMinutes: 240 },
    high: { firstResponseMinutes: 60, nextResponseMinutes: 120, resolutionMinutes: 540 },
    normal: { firstResponseMinutes: 240, nextResponseMinutes: 480, resolutionMinutes: 1620 },
    low: { firstResponseMinutes: 540, nextResponseMinutes: 1080, resolutionMinutes: 5400 },
  },
  escalations: [{ on: 'resolution', actions: [{ kind: 'raise_priority' }] }],
};
