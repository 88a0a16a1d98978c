import { inboxEn } from '../inbox/messages.en.ts';

/** Agent desk messages (English). */
export const agentEn = {
  'nav.agentDesk': 'Agent desk',
  'agent.state': 'My status',
  'agent.available': 'Available',
  'agent.notReady': 'Not ready: {reason}',
  'agent.offline': 'Offline',
  'agent.noOffers': 'No offers right now.',
  'agent.noProfile':
    'You have no agent profile yet: start taking contacts on every channel, or ask a supervisor for skills.',
  'agent.becomeAvailable': 'Start taking contacts',
  'agent.offerTitle': 'New {channel} contact',
  'agent.offerCountdown': '{seconds} s to answer',
  'agent.offerQueue': 'Queue: {queue}',
  'agent.accept': 'Accept',
  'agent.reject': 'Reject',
  'agent.voiceCall': 'Voice call',
  'agent.offerCustomer': 'Customer',
  'agent.offerCustomerUnknown': 'Not known yet',
  'agent.offerChannel': 'Channel',
  'agent.offerQueueLabel': 'Queue',
  'agent.offerWaited': 'Waiting for',
  'agent.contactClosed': 'Contact closed. Back on the desk.',
  ...inboxEn,
} as const;
