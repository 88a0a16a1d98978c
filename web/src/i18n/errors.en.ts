/**
 * English text for every server error code the console can meet that has no
 * panel of its own (appliance/src/contracts/error-codes.ts). The i18n test fails
 * when a catalogued code has no text here, in en.ts or in a panel's messages.
 */
export const errorsEn = {
  'error.HTTP_UNKNOWN': 'The appliance refused the request without saying why. Please try again.',
  'error.HTTP_METHOD': 'That kind of request is not accepted here.',

  'error.ANALYTICS_BAD_RANGE': 'The date range is not valid. Choose a shorter or correct period.',
  'error.ANALYTICS_NOT_FOUND': 'That report or label no longer exists.',

  'error.AUDIT_INVALID_SEARCH': 'The audit search has a date that is not valid.',
  'error.AUDIT_INVALID_SETTINGS': 'An audit setting is unknown or out of range.',
  'error.AUDIT_WRITE_FAILED': 'The action could not be recorded in the audit log, so it was not done.',

  'error.CONVERSATIONS_ATTACHMENT_BLOCKED': 'This attachment is quarantined and cannot be opened.',
  'error.CONVERSATIONS_ATTACHMENT_TOO_LARGE': 'The attachment is too large.',
  'error.CONVERSATIONS_ATTACHMENT_TYPE': 'This type of file cannot be sent.',
  'error.CONVERSATIONS_INVALID_CHECKPOINT': 'The contact list could not be synced. Reload the page.',
  'error.CONVERSATIONS_INVALID_MESSAGE': 'The message is empty or not valid.',
  'error.CONVERSATIONS_INVALID_STATE': 'The conversation cannot do that in its current state.',
  'error.CONVERSATIONS_INVALID_TRANSITION': 'The conversation cannot move to that state now.',
  'error.CONVERSATIONS_NOT_ASSIGNED': 'This conversation is not assigned to you.',
  'error.CONVERSATIONS_NOT_FOUND': 'That conversation no longer exists.',
  'error.CONVERSATIONS_NO_SENDER': 'Replies on this channel are not set up. Contact an administrator.',

  'error.CRM_CONNECTOR_NOT_FOUND': 'That CRM connector does not exist.',
  'error.CRM_CONNECTOR_UNAVAILABLE': 'The CRM system is not answering. Try again later.',
  'error.CRM_IMPORT_FORMAT': 'The import file could not be read. Use a UTF-8 CSV file.',
  'error.CRM_IMPORT_INVALID': 'The import was refused: some rows have fields that are not valid.',
  'error.CRM_IMPORT_TOO_LARGE': 'The import file is too large. Split it into smaller files.',
  'error.CRM_INVALID_FIELD': 'A customer field is not valid.',
  'error.CRM_NOT_FOUND': 'That CRM record does not exist.',
  'error.CRM_WEBHOOK_REPLAY': 'This CRM update was already received.',
  'error.CRM_WEBHOOK_SIGNATURE': 'The CRM update was refused: its signature is wrong.',
  'error.CRM_WEBHOOK_STALE': 'The CRM update was refused: it is too old.',

  'error.CUSTOMERS_ALREADY_MERGED': 'These customer records are already merged.',
  'error.CUSTOMERS_ALREADY_UNMERGED': 'This merge has already been undone.',
  'error.CUSTOMERS_DUPLICATE_HANDLE': 'That phone number or address already belongs to another customer.',
  'error.CUSTOMERS_INVALID_FIELD': 'A customer field is not valid, for example the phone number.',
  'error.CUSTOMERS_LEGAL_HOLD':
    'This customer cannot be erased: a legal hold covers their data. Release the hold first.',
  'error.CUSTOMERS_MERGE_NOT_FOUND': 'That merge no longer exists.',
  'error.CUSTOMERS_MERGE_SELF': 'A customer cannot be merged into itself.',
  'error.CUSTOMERS_NOT_FOUND': 'That customer no longer exists.',

  'error.EMAIL_INVALID_SETTINGS': 'An email setting is not valid. Check the field named below.',
  'error.EMAIL_TEST_AUTH_FAILED': 'The mail relay refused the user name or password.',
  'error.EMAIL_TEST_CONNECTION_REFUSED':
    'The mail relay refused the connection: nothing listens on that host and port.',
  'error.EMAIL_TEST_RECIPIENT_REJECTED': 'The mail relay refused the recipient address.',
  'error.EMAIL_TEST_TLS_FAILED':
    'The secure connection to the mail relay failed. Check the security setting.',
  'error.EMAIL_TEST_UNREACHABLE':
    'The mail relay could not be reached in time. Check the host and the network.',
  'error.EMAIL_NO_RECIPIENT': 'The email has no recipient address.',
  'error.EMAIL_RELAY_FAILED': 'The mail server did not accept the email. Try again later.',
  'error.EMAIL_RELAY_NOT_CONFIGURED': 'Outgoing email is not set up. Contact an administrator.',

  'error.FLOWS_INVALID': 'The call flow is not valid. Check the highlighted step.',
  'error.FLOWS_LOOP': 'The call flow loops without end. Check where its steps lead.',
  'error.FLOWS_NOT_FOUND': 'That call flow no longer exists.',
  'error.FLOWS_SPEECH_FAILED': 'The voice prompt could not be generated.',

  'error.SIEM_CA_UNREADABLE': 'The CA file set for the syslog collector (BRANCHLINE_SIEM_CA) cannot be read.',
  'error.SIEM_CERTIFICATE_REJECTED':
    "The syslog collector's certificate was not trusted; no audit records were sent to it.",
  'error.SIEM_CONNECTION_LOST':
    'The connection to the syslog collector was lost; audit records are resent from the last one it received.',
  'error.SIEM_UNREACHABLE':
    'The syslog collector cannot be reached; audit records wait on the appliance and are sent when it is back.',
  'error.INTELLIGENCE_INVALID_INPUT': 'The text or score is not valid (scores are 0–100).',
  'error.INTELLIGENCE_SCORECARD_INVALID':
    'The scorecard is not valid: check the marked rule (words, limit or threshold).',
  'error.INTELLIGENCE_SCORECARD_CONFLICT':
    'Someone saved this scorecard meanwhile, or the queue already has another scorecard. Reload and try again.',
  'error.INTELLIGENCE_SCORECARD_DEFAULT': 'The default scorecard cannot be deleted.',
  'error.INTELLIGENCE_NO_RECORDING': 'This call has no two-channel recording to measure.',

  'error.ROUTING_EXPRESSION_INVALID': 'The routing condition cannot be read. Check its syntax.',
  'error.ROUTING_INVALID_CONFIG':
    'The routing settings are not valid (queue, calendar, skill level or hours).',
  'error.SETUP_INVALID_FIELD': 'This setup value is not valid; check the field named below.',
  'error.ROUTING_NOT_AN_AGENT': 'You have no agent profile. Ask an administrator to add you to routing.',
  'error.ROUTING_NOT_FOUND': 'That queue, workflow or agent profile does not exist.',
  'error.ROUTING_OFFER_GONE': 'This offer was taken or has expired.',
  'error.ROUTING_TASK_EXISTS': 'This contact is already waiting in a queue.',
  'error.ROUTING_UNKNOWN_REFERENCE':
    'This names a skill, queue or calendar that does not exist. Create it first or pick an existing one.',
  'error.TICKETS_UNKNOWN_REFERENCE': 'An escalation names a department or user that does not exist.',
  'error.ROUTING_IN_USE':
    'This item is still in use and cannot be deleted. Remove it from the items listed first.',

  'error.STORAGE_CONFLICT': 'Someone else changed this at the same time. Reload and try again.',
  'error.STORAGE_DECRYPT_FAILED': 'Stored data could not be decrypted. Contact an administrator.',
  'error.STORAGE_INVALID_DOC': 'The record is not valid and was not saved.',
  'error.STORAGE_IO': 'The appliance could not read or write its storage. Contact an administrator.',
  'error.STORAGE_KEY_SHREDDED': 'This data was permanently erased and can no longer be read.',
  'error.STORAGE_SUITE_MISMATCH':
    'The configured encryption suite differs from the one this appliance was set up with. Migrate the suite first.',

  'error.SYNC_ENROLMENT_UNREADABLE': 'The HQ enrolment file cannot be read. Contact an administrator.',
  'error.SYNC_BUNDLE_INVALID':
    'This is not a valid HQ join bundle: it is damaged, altered or not signed by HQ. Ask HQ for a new one.',
  'error.SYNC_JOIN_CHECK_FAILED':
    'The connection test with HQ failed; nothing was changed. See the steps above.',
  'error.SYNC_JOIN_ENV_CONFIGURED':
    'HQ is set by the appliance settings (BRANCHLINE_HQ_URL); they take precedence over joining here.',
  'error.SYNC_QUARANTINE_GONE': 'That document is no longer waiting to be sent to HQ.',
  'error.SYNC_QUARANTINE_NOT_FOUND': 'That held document no longer exists.',

  'error.SYSTEM_BACKUP_CORRUPT': 'The backup file is damaged and cannot be restored.',
  'error.SYSTEM_BACKUP_TARGET_NOT_EMPTY':
    'The restore target already holds data. Restore into an empty appliance.',
  'error.SYSTEM_BACKUP_WRONG_KEY': 'The recovery key does not match this backup.',
  'error.SYSTEM_INVALID_JOB': 'That scheduled job does not exist or its schedule is not valid.',
  'error.SYSTEM_RECOVERY_KEY_INVALID': 'The recovery key is not valid. Check it and type it again.',
  'error.SYSTEM_RECOVERY_KEY_MISSING': 'No recovery key is set up. Create one before taking a backup.',
  'error.SYSTEM_TLS_FAILED': 'The certificate could not be created or installed.',

  'error.TEAMCHAT_EMPTY_MESSAGE': 'Type a message first.',

  'error.VOICE_ACCOUNT_EXISTS': 'A phone account with that name already exists.',
  'error.VOICE_CALL_NOT_FOUND': 'That call has ended.',
  'error.VOICE_CALL_STATE':
    'The call cannot do that now (it must be connected, with no transfer in progress).',
  'error.VOICE_DIALOUT_FAILED': 'The call could not be placed. Try again.',
  'error.VOICE_DIALOUT_REFUSED': 'That number may not be called from this branch.',
  'error.VOICE_EXPORT_INVALID': 'Give a reason for the export (up to 500 characters).',
  'error.VOICE_EXPORT_UNAVAILABLE': 'Exports cannot be signed right now: the signing key is not available.',
  'error.VOICE_HOLD_INVALID': 'The legal hold needs a reason (up to 500 characters) and a valid target.',
  'error.VOICE_HOLD_NOT_FOUND': 'That legal hold does not exist.',
  'error.VOICE_HOLD_RELEASED': 'That legal hold has already been released.',
  'error.VOICE_INVALID_TRUNK': 'The trunk name or host is not valid (name: up to 32 of a–z, 0–9, _ and -).',
  'error.VOICE_INVALID_RETENTION': 'The recording retention must be between 1 and 3650 days.',
  'error.VOICE_MEDIA_ENGINE_CLOSED': 'The audio service is restarting. Try again in a moment.',
  'error.VOICE_MEDIA_LEG_EXISTS': 'The audio for this call is already connected.',
  'error.VOICE_MEDIA_LEG_NOT_FOUND': 'The audio for this call is no longer connected.',
  'error.VOICE_MEDIA_WORKER_BROKEN': 'The audio service failed. Contact an administrator.',
  'error.VOICE_MEDIA_WORKER_MISSING': 'The audio service is not installed. Contact an administrator.',
  'error.VOICE_NOT_YOUR_CALL': 'This call is not yours.',
  'error.VOICE_RECORDING_NOT_FOUND': 'That recording does not exist or has been deleted.',
  'error.VOICE_TARGET_UNAVAILABLE': 'The person you are calling is not available.',
  'error.VOICE_UNKNOWN_USER': 'That user does not exist.',
  'error.VOICE_WEBRTC_BAD_OFFER': 'The browser audio could not be connected. Reload the page.',
  'error.VOICE_WEBRTC_CALL_NOT_ANSWERABLE': 'This call can no longer be answered.',
  'error.VOICE_WEBRTC_CALL_NOT_FOUND': 'That call has ended.',
  'error.VOICE_WEBRTC_NOT_BRIDGED': 'The call is not connected yet.',
  'error.VOICE_WEBRTC_RATE_LIMITED': 'Too many audio connection attempts. Wait a moment.',
  'error.VOICE_WEBRTC_SESSION_NOT_FOUND': 'The browser audio session has ended. Reload the page.',

  'error.WEBCHAT_BAD_FRAME': 'The chat message could not be read.',
  'error.WEBCHAT_CSAT_ALREADY': 'This chat has already been rated.',
  'error.WEBCHAT_FRAME_TOO_LARGE': 'The chat message is too long.',
  'error.WEBCHAT_INTERNAL': 'The chat hit an internal error. Please try again.',
  'error.WEBCHAT_NOT_READY': 'The chat is still connecting. Try again in a moment.',
  'error.WEBCHAT_NO_CONTACT': 'There is no chat to rate.',
  'error.WEBCHAT_UNKNOWN_FILE': 'That file no longer exists.',
  'error.WEBCHAT_UPLOAD_REFUSED': 'The file upload was refused.',

  'error.WECHAT_API_FAILED': 'WeChat did not accept the request. Try again later.',
  'error.WECHAT_BAD_SIGNATURE': 'The WeChat message was refused: its signature is wrong.',
  'error.WECHAT_BAD_XML': 'The WeChat message could not be read.',
  'error.WECHAT_BODY_TOO_LARGE': 'The WeChat message is too large.',
  'error.WECHAT_DECRYPT_FAILED': 'The WeChat message could not be decrypted. Check the WeChat key.',
  'error.WECHAT_INVALID_CONFIG':
    'The WeChat settings are not valid: check the token (3–32 letters or digits) and the EncodingAESKey (43 characters).',
  'error.WECHAT_MEDIA_REFUSED': 'WeChat refused the file.',
  'error.WECHAT_NOT_CONFIGURED': 'WeChat is not set up. Contact an administrator.',
  'error.WECHAT_RECEIVER_MISMATCH': 'The WeChat message was meant for another account.',
  'error.WECHAT_STALE_TIMESTAMP': 'The WeChat message was refused: it is too old.',
} as const;
