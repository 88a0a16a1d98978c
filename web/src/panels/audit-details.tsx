import { Fragment } from 'preact';
import { formatDateTime } from '../i18n/format.ts';
import { isMessageKey, MESSAGES, type MessageKey, roleName, t } from '../i18n/index.ts';
import { label } from '../i18n/labels.ts';
import { actionLabel } from './audit-actions.ts';

/** Resolves a user id to a display name; other strings come back unchanged. */
export type NameOf = (id: string) => string;

const hasKey = (k: string): k is MessageKey => Object.hasOwn(MESSAGES.en, k);

/** A details key as a label: translated when the catalogue knows it, else words from the camelCase key. */
export const fieldName = (key: string) => fieldLabel(key);
function fieldLabel(key: string): string {
  const k = `audit.field.${key}`;
  if (hasKey(k)) return t(k);
  return key.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/_/g, ' ');
}

/** An audit target or actor as shown: a user's name, or the kind's name with the id as a code. */
export function TargetText(props: { target: string; nameOf: NameOf }) {
  const text = targetText(props.target, props.nameOf);
  const m = /^(.+?) (\S+)$/.exec(text);
  const id = /^[a-zA-Z_]+:(.+)$/.exec(props.target)?.[1];
  if (!m || id === undefined || m[2] !== id) return <>{text}</>;
  return (
    <>
      {m[1]} <code translate={false}>{id}</code>
    </>
  );
}

/** Keys whose values are ids of things (shown as codes, on purpose) rather than words. */
export const isIdField = (key: string) =>
  /^(id|eventId|sessionId)$|[a-z](Id|Ids)$/.test(key) && !/(^u|U)serIds?$|^agentIds?$|^roleId$/.test(key);
const ROUTING_IDS = new Set(['workflow', 'queue', 'skill', 'profile', 'scorecard', 'calendar']);

/** `kind:id` (an audit target) as the kind's name and the id; a user id as the user's name. */
export function targetText(target: string, nameOf: NameOf): string {
  const named = nameOf(target);
  if (named !== target) return named;
  const m = /^([a-zA-Z_]+):(.+)$/.exec(target);
  if (!m) return target;
  const kind = `targetKind.${m[1]}`;
  const rest = m[1] === 'channel' ? label('channel', m[2] ?? '') : nameOf(m[2] ?? '');
  return isMessageKey(kind) ? `${t(kind)} ${rest}` : target;
}

/** A coded value through the catalogue for the kind its key names. */
function codedText(key: string, v: string): string | undefined {
  const first = (...labels: string[]) => labels.find((l) => l !== v);
  switch (key) {
    case 'state':
    case 'from':
    case 'to':
    case 'visited':
      return first(label('ticketState', v), label('contactState', v), label('agentState', v));
    case 'previous':
      return first(label('agentState', v), label('contactState', v));
    case 'priority':
      return first(label('priority', v));
    case 'channel':
      return first(label('channel', v));
    case 'wrapUpCode':
      return first(label('wrapUp', v));
    case 'intent':
      return first(label('intent', v));
    case 'reason':
      return first(label('reason', v));
    case 'failed':
      return first(label('qaRule', v));
    case 'fields':
    case 'changes':
      return fieldLabel(v);
  }
  for (const k of [`audit.dir.${v}`, `delivery.${v}`, `handleKind.${v}`, `targetKind.${v}`])
    if ((key === 'direction' || key === 'delivery' || key === 'kind') && isMessageKey(k)) return t(k);
  if (v === '[redacted]') return t('audit.redacted');
  if (v === 'none') return t('audit.none');
  return undefined;
}

function valueText(key: string, v: unknown, nameOf: NameOf): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'boolean') return t(v ? 'audit.yes' : 'audit.no');
  if (typeof v === 'string') {
    if (key === 'action') return actionLabel(v) !== v ? actionLabel(v) : label('ticketAction', v);
    if (key === 'roles' || key === 'roleId') return roleName(v);
    if (key === 'target') return targetText(v, nameOf);
    if (key === 'actor' || /(^u|U)serIds?$|^agentIds?$/.test(key)) return nameOf(v);
    if (key === 'at' || /[a-z]At$/.test(key)) return formatDateTime(v);
    return codedText(key, v) ?? v;
  }
  if (typeof v === 'number') return v.toLocaleString();
  if (Array.isArray(v)) return v.map((x) => valueText(key, x, nameOf)).join(', ');
  if (typeof v === 'object')
    return Object.entries(v as Record<string, unknown>)
      .map(([k, x]) => `${fieldLabel(k)}: ${valueText(k, x, nameOf)}`)
      .join('; ');
  return String(v);
}

/** An audit record's details as labelled fields (never raw JSON); the event id goes last. */
export function AuditDetails(props: { details: Record<string, unknown> | undefined; nameOf: NameOf }) {
  const entries = Object.entries(props.details ?? {}).sort(([a], [b]) =>
    a === 'eventId' ? 1 : b === 'eventId' ? -1 : 0,
  );
  if (entries.length === 0) return null;
  return (
    <dl
      class="audit-details"
      data-testid="audit-details"
      style={{ display: 'grid', gridTemplateColumns: 'max-content 1fr', gap: '0 0.75em', margin: 0 }}
    >
      {entries.map(([k, v]) => (
        <Fragment key={k}>
          <dt>{fieldLabel(k)}</dt>
          <dd data-field={k} style={{ margin: 0, overflowWrap: 'anywhere' }}>
            {isIdField(k) || (ROUTING_IDS.has(k) && typeof v === 'string') ? (
              <code translate={false}>{valueText(k, v, props.nameOf)}</code>
            ) : (
              valueText(k, v, props.nameOf)
            )}
          </dd>
        </Fragment>
      ))}
    </dl>
  );
}
