/** An alarm for the operator (the module publishes it as `system.alarm_raised`, which the audit log records). */
export interface EmailAlarm {
  alarm:
    | 'email.imap_unreachable'
    | 'email.imap_message_skipped'
    | 'email.attachment_blocked'
    | 'email.message_refused';
  severity: 'warning';
  detail: string;
}

/** Calls an alarm sink without letting it throw or reject into the mail path. */
export function raise(sink: ((a: EmailAlarm) => unknown) | undefined, alarm: EmailAlarm): void {
  try {
    Promise.resolve(sink?.(alarm)).catch(() => undefined);
  } catch {
    // An alarm sink that throws must not stop mail.
  }
}
