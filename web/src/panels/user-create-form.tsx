import { useSignal } from '@preact/signals';
import { api } from '../app-state.ts';
import { ErrorText } from '../components/error-text.tsx';
import { useAction } from '../components/use-action.ts';
import type { User } from '../data/auth.ts';
import { createUser } from '../data/users.ts';
import { t } from '../i18n/index.ts';
import { RolePicker } from './role-picker.tsx';

export function UserCreateForm(props: {
  roles: readonly string[];
  onCreated: (user: User, oneTimePassword: string) => void;
}) {
  const username = useSignal('');
  const displayName = useSignal('');
  const roles = useSignal<string[]>([]);
  const noRole = useSignal(false);
  const action = useAction();

  const submit = (e: Event) => {
    e.preventDefault();
    noRole.value = roles.value.length === 0;
    if (noRole.value) return;
    void action.run(async () => {
      const r = await createUser(api, {
        username: username.value.trim(),
        displayName: displayName.value.trim(),
        roles: roles.value,
      });
      username.value = '';
      displayName.value = '';
      roles.value = [];
      props.onCreated(r.user, r.oneTimePassword);
    });
  };

  return (
    <form class="card stack" onSubmit={submit}>
      <h2>{t('users.create')}</h2>
      <div class="row">
        <label>
          {t('users.username')}
          <input
            data-testid="user-create-username"
            required
            minLength={2}
            maxLength={64}
            autocomplete="off"
            value={username.value}
            onInput={(e) => {
              username.value = e.currentTarget.value;
            }}
          />
        </label>
        <label>
          {t('users.displayName')}
          <input
            data-testid="user-create-displayname"
            required
            maxLength={128}
            autocomplete="off"
            value={displayName.value}
            onInput={(e) => {
              displayName.value = e.currentTarget.value;
            }}
          />
        </label>
      </div>
      <fieldset>
        <legend>{t('users.roles')}</legend>
        <RolePicker
          roles={props.roles}
          selected={roles.value}
          testid="user-create-role"
          onChange={(next) => {
            roles.value = next;
          }}
        />
      </fieldset>
      {noRole.value && (
        <p class="error" role="alert">
          {t('users.pickRole')}
        </p>
      )}
      <ErrorText code={action.error} testid="user-create-error" />
      <div>
        <button type="submit" data-testid="user-create-submit" disabled={action.busy}>
          {action.busy ? t('common.working') : t('users.createSubmit')}
        </button>
      </div>
    </form>
  );
}
