import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api, can, me } from '../app-state.ts';
import { ErrorText } from '../components/error-text.tsx';
import { ShowMore } from '../components/show-more.tsx';
import { useAction } from '../components/use-action.ts';
import type { User } from '../data/auth.ts';
import { BUILTIN_ROLES, fetchRoles } from '../data/roles.ts';
import { fetchUserPage } from '../data/users.ts';
import { t } from '../i18n/index.ts';
import { UserCreateForm } from './user-create-form.tsx';
import { UserRow } from './user-row.tsx';

export function UsersAdminPanel() {
  const users = useSignal<User[]>([]);
  const roles = useSignal<readonly string[]>(BUILTIN_ROLES);
  const otp = useSignal<{ username: string; password: string } | undefined>(undefined);
  const next = useSignal<string | undefined>(undefined);
  const load = useAction();

  const reload = () =>
    load.run(async () => {
      const [u, r] = await Promise.all([fetchUserPage(api), fetchRoles(api)]);
      users.value = u.users;
      next.value = u.nextCursor;
      roles.value = r.map((x) => x.id);
    });
  /** The next page (username order) appended to what is shown. */
  const more = (cursor: string) =>
    load.run(async () => {
      const u = await fetchUserPage(api, cursor);
      const shown = new Set(users.value.map((x) => x.id));
      users.value = [...users.value, ...u.users.filter((x) => !shown.has(x.id))];
      next.value = u.nextCursor;
    });
  useEffect(() => {
    void reload();
  }, []);

  const replace = (user: User) => {
    const rest = users.value.filter((x) => x.id !== user.id);
    users.value = [...rest, user].sort((a, b) => a.username.localeCompare(b.username));
  };
  const showOtp = (username: string, password: string) => {
    otp.value = { username, password };
  };
  const selfId = me.value?.user.id;

  return (
    <section class="stack">
      <div class="row">
        <h1>{t('users.title')}</h1>
        <button type="button" class="secondary" onClick={() => void reload()} disabled={load.busy}>
          {t('common.refresh')}
        </button>
      </div>
      <ErrorText code={load.error} testid="users-error" />
      {otp.value && (
        <div class="card otp" role="status">
          <h2>{t('users.otpTitle', { username: otp.value.username })}</h2>
          <p>
            <code class="big" data-testid="user-otp">
              {otp.value.password}
            </code>
          </p>
          <p>{t('users.otpNote')}</p>
          <button type="button" data-testid="user-otp-done" onClick={() => (otp.value = undefined)}>
            {t('common.close')}
          </button>
        </div>
      )}
      {can('users.manage') && (
        <UserCreateForm
          roles={roles.value}
          onCreated={(user, password) => {
            replace(user);
            showOtp(user.username, password);
          }}
        />
      )}
      <table class="grid" data-testid="users-table">
        <thead>
          <tr>
            <th>{t('users.username')}</th>
            <th>{t('users.displayName')}</th>
            <th>{t('users.roles')}</th>
            <th>{t('users.status')}</th>
            <th>{t('users.mfa')}</th>
            <th>{t('common.actions')}</th>
          </tr>
        </thead>
        <tbody>
          {users.value.map((u) => (
            <UserRow
              key={u.id}
              user={u}
              roles={roles.value}
              isSelf={u.id === selfId}
              canManage={can('users.manage')}
              canFreeze={can('users.freeze')}
              onChanged={replace}
              onOneTimePassword={showOtp}
            />
          ))}
        </tbody>
      </table>
      <ShowMore next={next.value} onMore={(c) => void more(c)} testid="users-more" busy={load.busy} />
      {!load.busy && users.value.length === 0 && <p class="muted">{t('users.empty')}</p>}
    </section>
  );
}
