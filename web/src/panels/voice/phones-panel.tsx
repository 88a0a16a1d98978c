import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../../app-state.ts';
import { useAction } from '../../components/use-action.ts';
import type { User } from '../../data/auth.ts';
import { fetchUsers } from '../../data/users.ts';
import { t } from '../../i18n/index.ts';
import {
  createPhone,
  type DeskPhone,
  deletePhone,
  fetchPhones,
  type SrtpPolicy,
  updatePhone,
} from './api.ts';
import { PhoneTestCall } from './phone-test-call.tsx';
import { DeleteWithConfirm, FormFooter, NewButton, useRowEditor } from './row-editor.tsx';
import { SrtpSelect } from './srtp-select.tsx';
import { TrunksSection } from './trunks-section.tsx';

interface PhoneForm {
  username: string;
  userId: string;
  password: string;
  allowOutbound: boolean;
  maxConcurrentCalls: string;
  srtp: SrtpPolicy;
  /** Editing an existing phone (its name is fixed), or creating one. */
  existing: boolean;
}

const EMPTY: PhoneForm = {
  username: '',
  userId: '',
  password: '',
  allowOutbound: false,
  maxConcurrentCalls: '2',
  srtp: 'optional',
  existing: false,
};

/** Desk phones (list → open → edit → save, delete with confirmation, test call) and carrier trunks. */
export function PhonesPanel() {
  const phones = useSignal<DeskPhone[]>([]);
  const users = useSignal<User[]>([]);
  const editor = useRowEditor<PhoneForm>();
  const { form, confirming, save, setF } = editor;
  const rowAction = useAction();
  const load = async () => {
    phones.value = await fetchPhones(api);
  };
  useEffect(() => {
    void load();
    void fetchUsers(api)
      .then((u) => {
        users.value = u;
      })
      .catch(() => undefined);
    // Registration comes and goes with the phones: keep the badges current.
    const timer = setInterval(() => void load().catch(() => undefined), 3000);
    return () => clearInterval(timer);
  }, []);
  const nameOf = (id: string | undefined) => {
    const u = users.value.find((x) => x.id === id);
    return u ? u.displayName || u.username : (id ?? '');
  };
  const f = form.value;

  return (
    <div class="stack" data-testid="phones-panel">
      <h1>{t('nav.phones')}</h1>
      <section class="card stack">
        <h2>{t('phones.title')}</h2>
        <table data-testid="phones-list">
          <thead>
            <tr>
              <th>{t('phones.extension')}</th>
              <th>{t('phones.agent')}</th>
              <th>{t('phones.status')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {phones.value.map((p) => (
              <tr key={p.username} data-testid={`phone-row-${p.username}`}>
                <td>
                  <code>{p.username}</code>
                </td>
                <td>{p.userId ? nameOf(p.userId) : t('phones.noAgent')}</td>
                <td>
                  <PhoneTestCall phone={p} />
                </td>
                <td class="row">
                  <button
                    type="button"
                    class="secondary"
                    data-testid="phone-open"
                    onClick={() =>
                      editor.open({
                        username: p.username,
                        userId: p.userId ?? '',
                        password: '',
                        allowOutbound: p.allowOutbound,
                        maxConcurrentCalls: String(p.maxConcurrentCalls),
                        srtp: p.srtp ?? 'optional',
                        existing: true,
                      })
                    }
                  >
                    {t('phones.open')}
                  </button>
                  <DeleteWithConfirm
                    editor={editor}
                    name={p.username}
                    prefix="phone"
                    action={rowAction}
                    inUseCode="VOICE_ACCOUNT_IN_USE"
                    onDelete={async () => {
                      await deletePhone(api, p.username);
                      confirming.value = undefined;
                      if (form.value?.username === p.username) form.value = undefined;
                      await load();
                    }}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <NewButton editor={editor} prefix="phone" label={t('phones.new')} empty={EMPTY} />
        {f && (
          <form
            class="stack"
            data-testid="phone-form"
            onSubmit={(e) => {
              e.preventDefault();
              void save.run(async () => {
                const max = Number(f.maxConcurrentCalls) || 2;
                if (f.existing)
                  await updatePhone(api, f.username, {
                    userId: f.userId || null,
                    allowOutbound: f.allowOutbound,
                    maxConcurrentCalls: max,
                    srtp: f.srtp,
                    ...(f.password ? { password: f.password } : {}),
                  });
                else
                  await createPhone(api, {
                    username: f.username.trim(),
                    password: f.password,
                    allowOutbound: f.allowOutbound,
                    maxConcurrentCalls: max,
                    srtp: f.srtp,
                    ...(f.userId ? { userId: f.userId } : {}),
                  });
                form.value = undefined;
                await load();
              });
            }}
          >
            <div class="row">
              <label class="stack">
                {t('phones.extension')}
                <input
                  data-testid="phone-username"
                  required
                  readOnly={f.existing}
                  pattern="[A-Za-z0-9._\-]{1,64}"
                  value={f.username}
                  onInput={(e) => setF({ username: e.currentTarget.value })}
                />
              </label>
              <label class="stack">
                {t('phones.agent')}
                <select
                  data-testid="phone-agent"
                  value={f.userId}
                  onChange={(e) => setF({ userId: e.currentTarget.value })}
                >
                  <option value="">{t('phones.noAgent')}</option>
                  {users.value.map((u) => (
                    <option key={u.id} value={u.id}>
                      {u.displayName || u.username}
                    </option>
                  ))}
                </select>
              </label>
              <label class="stack">
                {f.existing ? t('phones.newPassword') : t('phones.password')}
                <input
                  type="password"
                  data-testid="phone-password"
                  required={!f.existing}
                  minLength={12}
                  value={f.password}
                  onInput={(e) => setF({ password: e.currentTarget.value })}
                />
              </label>
              <label class="stack">
                {t('phones.maxCalls')}
                <input
                  type="number"
                  min={1}
                  max={10}
                  data-testid="phone-max-calls"
                  value={f.maxConcurrentCalls}
                  onInput={(e) => setF({ maxConcurrentCalls: e.currentTarget.value })}
                />
              </label>
              <label class="row">
                <input
                  type="checkbox"
                  data-testid="phone-outbound"
                  checked={f.allowOutbound}
                  onChange={(e) => setF({ allowOutbound: e.currentTarget.checked })}
                />
                {t('phones.allowOutbound')}
              </label>
              <SrtpSelect testId="phone-srtp" value={f.srtp} onChange={(srtp) => setF({ srtp })} />
            </div>
            <FormFooter editor={editor} prefix="phone" />
          </form>
        )}
      </section>
      <TrunksSection />
    </div>
  );
}
