/**
 * Labels for values the appliance sends as codes: not-ready reasons, shipped
 * ticket states, intents of the seeded classifier, QA evidence, call states.
 * `coverage.test.ts` reads the codes from appliance/src and fails on a gap.
 */
export const enumsEn = {
  'agentState.available': 'Available',
  'agentState.not_ready': 'Not ready',
  'agentState.offline': 'Offline',

  'reason.break': 'Break',
  'reason.lunch': 'Lunch',
  'reason.training': 'Training',
  'reason.meeting': 'Meeting',
  'reason.after_call_work': 'After-call work',
  'reason.rona': 'Missed an offer',

  // The shipped workflow's English labels (tickets/seed.ts), so a state left as shipped is translated.
  'ticketState.new': 'New',
  'ticketState.open': 'Open',
  'ticketState.l1': 'L1',
  'ticketState.l2': 'L2',
  'ticketState.pending_customer': 'Pending customer',
  'ticketState.resolved': 'Resolved',
  'ticketState.closed': 'Closed',

  'intent.card_lost': 'Lost card',
  'intent.cancel_order': 'Cancel an order',
  'intent.reset_password': 'Reset password',
  'intent.balance_inquiry': 'Balance enquiry',
  'intent.complaint': 'Complaint',
  'intent.human_agent': 'Asks for an agent',
  'intent.appointment': 'Appointment',
  'intent.claim_status': 'Claim status',
  'intent.greeting': 'Greeting',
  'intent.thanks': 'Thanks',
  'intent.unknown': 'Not recognised',

  'qa.rule.required_phrase': 'Required phrase',
  'qa.evidence.first_agent_reply': 'first agent reply',
  'qa.evidence.no_agent_reply': 'the agent never replied',
  'qa.evidence.forbidden_used': 'used: {words}',
  'qa.evidence.forbidden_none': 'none used',
  'qa.evidence.end_sentiment': 'last customer sentiment {sentiment}',
  'qa.evidence.slowest_reply': 'slowest reply: {seconds} s',
  'qa.evidence.resolution_confirmed': 'the agent checked the issue was solved',
  'qa.evidence.resolution_missing': 'the agent did not check the issue was solved',
  'qa.evidence.phrase_said': 'said: {words}',
  'qa.evidence.phrase_missing': 'not said',
  'qa.evidence.acoustic': '{metric}: {value} (rule: {op} {threshold})',

  'qa.metric.agent_talk_ratio': 'Agent share of talk',
  'qa.metric.longest_silence_s': 'Longest silence (s)',
  'qa.metric.silence_share': 'Share of silence',
  'qa.metric.overtalk_s': 'Talking over each other (s)',
  'qa.metric.agent_interruptions': 'Agent interruptions',
  'qa.metric.hold_s': 'Hold (s)',
  'qa.metric.first_agent_words_s': "Time to the agent's first words (s)",

  'callState.ringing': 'Ringing',
  'callState.ivr': 'In the voice menu',
  'callState.queued': 'Queued',
  'callState.connecting': 'Connecting',
  'callState.bridged': 'Connected',
  'callState.ended': 'Ended',
} as const;
