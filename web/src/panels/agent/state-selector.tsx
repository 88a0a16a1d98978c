import { t } from '../../i18n/index.ts';
import { label } from '../../i18n/labels.ts';
import type { AgentState } from './api.ts';

/** Available, not ready with one of the configured reason codes, or offline — one select. */
export function StateSelector(props: {
  state: AgentState;
  reason: string | undefined;
  reasonCodes: string[];
  busy: boolean;
  onChange: (state: AgentState, reason?: string) => void;
}) {
  const value = props.state === 'not_ready' ? `not_ready:${props.reason ?? ''}` : props.state;
  const onChange = (e: Event) => {
    const v = (e.currentTarget as HTMLSelectElement).value;
    if (v.startsWith('not_ready:')) props.onChange('not_ready', v.slice('not_ready:'.length));
    else props.onChange(v as AgentState);
  };
  // 'rona' is set by the system; it shows but cannot be picked again.
  const reasons =
    props.state === 'not_ready' && props.reason && !props.reasonCodes.includes(props.reason)
      ? [...props.reasonCodes, props.reason]
      : props.reasonCodes;
  return (
    <label class={`agent-state state-${props.state}`}>
      {t('agent.state')}
      <select data-testid="agent-state" value={value} disabled={props.busy} onChange={onChange}>
        <option value="available">{t('agent.available')}</option>
        {reasons.map((r) => (
          <option key={r} value={`not_ready:${r}`} disabled={r === 'rona'}>
            {t('agent.notReady', { reason: label('reason', r) })}
          </option>
        ))}
        <option value="offline">{t('agent.offline')}</option>
      </select>
    </label>
  );
}
