/** Softphone messages (English). */
export const softphoneEn = {
  'nav.softphone': 'Softphone',
  'softphone.title': 'Softphone',
  'softphone.noCalls': 'No calls waiting.',
  'softphone.answer': 'Answer',
  'softphone.hangup': 'Hang up',
  'softphone.mute': 'Mute',
  'softphone.unmute': 'Unmute',
  'softphone.hold': 'Hold',
  'softphone.resume': 'Resume',
  'softphone.connecting': 'Connecting…',
  'softphone.active': 'On a call',
  'softphone.idle': 'Idle',
  'softphone.stats': 'Received {packets} packets, jitter {jitter} ms',
  'softphone.queue': 'Queue: {queue}',
  'softphone.failed': 'The call could not be connected.',
} as const;
