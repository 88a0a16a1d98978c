import { useSignal } from '@preact/signals';
import { api } from '../app-state.ts';
import { ErrorText } from '../components/error-text.tsx';
import { useAction } from '../components/use-action.ts';
import type { User } from '../data/auth.ts';
import { freezeUser, resetPassword, unfreezeUser, updateUser } from '../data/users.ts';
import { roleName, t } from '../i18n/index.ts';
import { RolePicker } from './role-picker.tsx';

export interface UserRowProps {
  user: User;
  roles: readonly string[];
  isSelf: boolean;
  canManage: boolean;
  canFreeze: boolean;
  onChanged: (user: User) => void;
  onOneTimePassword: (username: string, password: string) => void;
}

export function UserRow({
  user,
  roles,
  isSelf,
  canManage,
  canFreeze,
  onChanged,
  onOneTimePassword,
}: UserRowProps) {
  const editing = useSignal<string[] | undefined>(undefined);
  const confirmReset = useSignal(false);
  const action = useAction();
  const u = user.username;

  // Freezing is one click (no confirm dialog): it is immediately reversible with Unfreeze,
  // and in an incident the admin needs it fast.
  const freeze = () => action.run(async () => onChanged(await freezeUser(api, user.id)));
  const unfreeze = () => action.run(async () => onChanged(await unfreezeUser(api, user.id)));
  const saveRoles = (next: string[]) =>
    action.run(async () => {
      onChanged(await updateUser(api, user.id, { roles: next }));
      editing.value = undefined;
    });
  const reset = () =>
    action.run(async () => {
      confirmReset.value = false;
      onOneTimePassword(u, await resetPassword(api, user.id));
    });

  return (
    <tr
      data-testid={`user-row-${u}`}
      data-status={user.status}
      class={user.status === 'frozen' ? 'frozen' : ''}
    >
      <td>
        {u} {isSelf && <span class="muted">{t('users.self')}</span>}
      </td>
      <td>{user.displayName}</td>
      <td>
        {editing.value ? (
          <RolePicker
            roles={roles}
            selected={editing.value}
            testid={`user-roles-${u}`}
            onChange={(next) => {
              editing.value = next;
            }}
          />
        ) : (
          user.roles.map((r) => roleName(r)).join(', ')
        )}
      </td>
      <td data-testid={`user-status-${u}`}>
        {t(user.status === 'frozen' ? 'users.status.frozen' : 'users.status.active')}
        {user.lockedUntil && (
          <div class="muted">{t('users.lockedUntil', { time: formatTime(user.lockedUntil) })}</div>
        )}
        {user.mustChangePassword && <div class="muted">{t('users.mustChange')}</div>}
      </td>
      <td>{t(user.mfaEnrolled ? 'common.yes' : 'common.no')}</td>
      <td class="actions">
        {editing.value ? (
          <>
            <button
              type="button"
              data-testid={`user-roles-save-${u}`}
              disabled={action.busy || editing.value.length === 0}
              onClick={() => editing.value && void saveRoles(editing.value)}
            >
              {t('common.save')}
            </button>
            <button type="button" class="secondary" onClick={() => (editing.value = undefined)}>
              {t('common.cancel')}
            </button>
          </>
        ) : (
          canManage && (
            <button
              type="button"
              class="secondary"
              data-testid={`user-edit-roles-${u}`}
              onClick={() => (editing.value = [...user.roles])}
            >
              {t('users.editRoles')}
            </button>
          )
        )}
        {canFreeze && !isSelf && user.status === 'active' && (
          <button
            type="button"
            class="danger"
            data-testid={`user-freeze-${u}`}
            disabled={action.busy}
            onClick={freeze}
          >
            {t('users.freeze')}
          </button>
        )}
        {canFreeze && user.status === 'frozen' && (
          <button type="button" data-testid={`user-unfreeze-${u}`} disabled={action.busy} onClick={unfreeze}>
            {t('users.unfreeze')}
          </button>
        )}
        {canManage && !isSelf && !confirmReset.value && (
          <button
            type="button"
            class="secondary"
            data-testid={`user-reset-${u}`}
            onClick={() => (confirmReset.value = true)}
          >
            {t('users.resetPassword')}
          </button>
        )}
        {confirmReset.value && (
          <span class="confirm">
            {t('users.confirmReset', { username: u })}
            <button type="button" class="danger" data-testid={`user-reset-confirm-${u}`} onClick={reset}>
              {t('common.yes')}
            </button>
            <button type="button" class="secondary" onClick={() => (confirmReset.value = false)}>
              {t('common.no')}
            </button>
          </span>
        )}
        <ErrorText code={action.error} testid={`user-error-${u}`} />
      </td>
    </tr>
  );
}

function formatTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}
