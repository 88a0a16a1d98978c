import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../../app-state.ts';
import { useAction } from '../../components/use-action.ts';
import { t } from '../../i18n/index.ts';
import { deleteTrunk, fetchTrunks, type SrtpPolicy, saveTrunk, type TrunkRow } from './api.ts';
import { DeleteWithConfirm, FormFooter, NewButton, useRowEditor } from './row-editor.tsx';
import { SrtpSelect } from './srtp-select.tsx';

interface TrunkForm {
  name: string;
  host: string;
  port: string;
  transport: 'udp' | 'tcp' | 'tls';
  username: string;
  password: string;
  register: boolean;
  srtp: SrtpPolicy;
  existing: boolean;
}

const EMPTY: TrunkForm = {
  name: '',
  host: '',
  port: '5060',
  transport: 'udp',
  username: '',
  password: '',
  register: true,
  srtp: 'optional',
  existing: false,
};

/** Carrier trunks: list with registration, open → edit → save (the password is asked again), delete with confirmation. */
export function TrunksSection() {
  const trunks = useSignal<TrunkRow[]>([]);
  const editor = useRowEditor<TrunkForm>();
  const { form, confirming, save, setF } = editor;
  const remove = useAction();
  const load = async () => {
    trunks.value = await fetchTrunks(api);
  };
  useEffect(() => void load().catch(() => undefined), []);
  const f = form.value;
  const field = (k: 'name' | 'host' | 'port' | 'username' | 'password', label: Parameters<typeof t>[0]) => (
    <label class="stack">
      {t(label)}
      <input
        data-testid={`trunk-${k}`}
        type={k === 'password' ? 'password' : k === 'port' ? 'number' : 'text'}
        required={k !== 'port'}
        readOnly={k === 'name' && f?.existing}
        value={f?.[k] ?? ''}
        onInput={(e) => setF({ [k]: e.currentTarget.value })}
      />
    </label>
  );

  return (
    <section class="card stack" data-testid="trunks">
      <h2>{t('trunks.title')}</h2>
      <ul class="stack" data-testid="trunks-list">
        {trunks.value.map((tr) => (
          <li key={tr.name} class="row" data-testid={`trunk-row-${tr.name}`}>
            <strong>{tr.name}</strong>
            <code>
              {tr.host}:{tr.port}
            </code>
            <span data-registered={tr.registered ? 'true' : 'false'}>
              {tr.registered ? t('phones.registered') : t('phones.notRegistered')}
            </span>
            <button
              type="button"
              class="secondary"
              data-testid="trunk-open"
              onClick={() =>
                editor.open({
                  name: tr.name,
                  host: tr.host,
                  port: String(tr.port),
                  transport: tr.transport ?? 'udp',
                  username: tr.username ?? '',
                  password: '',
                  register: tr.register ?? true,
                  srtp: tr.srtp ?? 'optional',
                  existing: true,
                })
              }
            >
              {t('phones.open')}
            </button>
            <DeleteWithConfirm
              editor={editor}
              name={tr.name}
              prefix="trunk"
              action={remove}
              inUseCode="VOICE_TRUNK_IN_USE"
              onDelete={async () => {
                await deleteTrunk(api, tr.name);
                confirming.value = undefined;
                await load();
              }}
            />
          </li>
        ))}
      </ul>
      <NewButton editor={editor} prefix="trunk" label={t('trunks.new')} empty={EMPTY} />
      {f && (
        <form
          class="stack"
          data-testid="trunk-form"
          onSubmit={(e) => {
            e.preventDefault();
            void save.run(async () => {
              await saveTrunk(api, {
                name: f.name.trim(),
                host: f.host.trim(),
                ...(f.port ? { port: Number(f.port) } : {}),
                transport: f.transport,
                username: f.username.trim(),
                password: f.password,
                register: f.register,
                srtp: f.srtp,
              });
              form.value = undefined;
              await load();
            });
          }}
        >
          <div class="row">
            {field('name', 'trunks.name')}
            {field('host', 'trunks.host')}
            {field('port', 'trunks.port')}
            <label class="stack">
              {t('trunks.transport')}
              <select
                data-testid="trunk-transport"
                value={f.transport}
                onChange={(e) => setF({ transport: e.currentTarget.value as TrunkForm['transport'] })}
              >
                <option value="udp">UDP</option>
                <option value="tcp">TCP</option>
                <option value="tls">TLS</option>
              </select>
            </label>
            <SrtpSelect testId="trunk-srtp" value={f.srtp} onChange={(srtp) => setF({ srtp })} />
            {field('username', 'trunks.username')}
            {field('password', 'trunks.password')}
            <label class="row">
              <input
                type="checkbox"
                data-testid="trunk-register"
                checked={f.register}
                onChange={(e) => setF({ register: e.currentTarget.checked })}
              />
              {t('trunks.register')}
            </label>
          </div>
          {f.existing && <p class="muted">{t('trunks.passwordAgain')}</p>}
          <FormFooter editor={editor} prefix="trunk" />
        </form>
      )}
    </section>
  );
}
