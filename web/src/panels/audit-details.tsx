import { Fragment } from 'preact';
import { MESSAGES, type MessageKey, roleName, t } from '../i18n/index.ts';
import { actionLabel } from './audit-actions.ts';

/** Resolves a user id to a display name; other strings come back unchanged. */
export type NameOf = (id: string) => string;

const hasKey = (k: string): k is MessageKey => Object.hasOwn(MESSAGES.en, k);

/** A details key as a label: translated when the catalogue knows it, else words from the camelCase key. */
function fieldLabel(key: string): string {
  const k = `audit.field.${key}`;
  if (hasKey(k)) return t(k);
  return key.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/_/g, ' ');
}

function valueText(key: string, v: unknown, nameOf: NameOf): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'boolean') return t(v ? 'audit.yes' : 'audit.no');
  if (typeof v === 'string') {
    if (key === 'action') return actionLabel(v);
    if (key === 'roles' || key === 'roleId') return roleName(v);
    if (key === 'actor' || key === 'target' || /(^u|U)serId$|^agentId$/.test(key)) return nameOf(v);
    return v;
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
            {valueText(k, v, props.nameOf)}
          </dd>
        </Fragment>
      ))}
    </dl>
  );
}
