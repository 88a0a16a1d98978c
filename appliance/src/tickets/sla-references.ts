import { TicketsError } from './errors.ts';
import type { SlaPolicy } from './types.ts';

/** What an escalation may name: the branch's departments (tickets' own) and its users (identity, through a port). */
export interface EscalationDirectory {
  departmentExists: (id: string) => Promise<boolean>;
  /** Absent = users are not checked (no identity wired, e.g. unit tests). */
  userExists?: (id: string) => Promise<boolean>;
}

/**
 * Refuses an escalation that names a department or user the branch does not
 * have, with the field in `details.field` (`escalations.0.actions.1.userId`):
 * TICKETS_UNKNOWN_REFERENCE (400).
 * @example
 * await assertEscalationReferences(policy, { departmentExists: async (id) => id === 'cards' });
 */
export async function assertEscalationReferences(policy: SlaPolicy, dir: EscalationDirectory): Promise<void> {
  for (const [i, rule] of policy.escalations.entries()) {
    for (const [j, a] of rule.actions.entries()) {
      const field = `escalations.${i}.actions.${j}`;
      if (
        a.kind === 'reassign' &&
        a.departmentId !== undefined &&
        !(await dir.departmentExists(a.departmentId))
      )
        throw unknown(`${field}.departmentId`, 'department', a.departmentId);
      const userId = a.kind === 'notify' || a.kind === 'reassign' ? a.userId : undefined;
      if (userId !== undefined && dir.userExists && !(await dir.userExists(userId)))
        throw unknown(`${field}.userId`, 'user', userId);
    }
  }
}

function unknown(field: string, kind: 'department' | 'user', ref: string): TicketsError {
  return new TicketsError(
    'TICKETS_UNKNOWN_REFERENCE',
    `Cannot save: ${field} names unknown ${kind} '${ref}'`,
    {
      status: 400,
      details: { field, kind, ref },
    },
  );
}
