import type { FlowDefinition } from './types.ts';

/**
 * The `inbound` flow a fresh appliance answers trunk calls with: open → a
 * greeting and the 'general' queue; closed (routing's calendar) → an
 * announcement, then a voicemail, so an out-of-hours caller is still heard.
 */
export const DEFAULT_INBOUND_FLOW: FlowDefinition = {
  id: 'inbound',
  name: 'Inbound (default)',
  language: 'en',
  start: 'hours',
  nodes: {
    hours: { type: 'hours', open: 'welcome', closed: 'closed' },
    welcome: {
      type: 'say',
      text: 'Thank you for calling. Please hold for the next available agent.',
      next: 'queue',
    },
    queue: { type: 'enqueue', queue: 'general' },
    closed: {
      type: 'say',
      text: 'We are closed now. Please leave a message after the tone and we will call you back when we open.',
      next: 'voicemail',
    },
    voicemail: { type: 'voicemail', maxMs: 60_000, next: 'bye' },
    bye: { type: 'hangup' },
  },
};
