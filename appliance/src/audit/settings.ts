import { AuditError } from './errors.ts';
import type { AuditSettings } from './types.ts';

export const DEFAULT_SETTINGS: Readonly<AuditSettings> = Object.freeze({
  checkpointEvery: 100,
  retentionDays: 3650,
  exportMaxRows: 100_000,
});

const RANGES: Record<keyof AuditSettings, [number, number]> = {
  checkpointEvery: [1, 100_000],
  retentionDays: [180, 36_500],
  exportMaxRows: [1, 10_000_000],
};

/** Merges a patch over the current settings; unknown fields or out-of-range values → AUDIT_INVALID_SETTINGS. */
export function applySettingsPatch(current: AuditSettings, patch: Record<string, unknown>): AuditSettings {
  const next = { ...current };
  for (const [k, v] of Object.entries(patch)) {
    const range = RANGES[k as keyof AuditSettings];
    if (!range)
      throw new AuditError('AUDIT_INVALID_SETTINGS', `Unknown audit setting ${k}`, { details: { field: k } });
    if (!Number.isInteger(v) || (v as number) < range[0] || (v as number) > range[1]) {
      throw new AuditError(
        'AUDIT_INVALID_SETTINGS',
        `Audit setting ${k} must be an integer in ${range[0]}..${range[1]}`,
        {
          details: { field: k, min: range[0], max: range[1] },
        },
      );
    }
    next[k as keyof AuditSettings] = v as number;
  }
  return next;
}
