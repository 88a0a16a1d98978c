import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../../app-state.ts';
import { ErrorText } from '../../components/error-text.tsx';
import { useAction } from '../../components/use-action.ts';
import type { User } from '../../data/auth.ts';
import { fetchUsers } from '../../data/users.ts';
import { t } from '../../i18n/index.ts';
import { type DeskPhone, fetchPhones } from '../voice/api.ts';
import { PhoneTestCall } from '../voice/phone-test-call.tsx';
import { createDeskPhone, saveTrunk } from './api.ts';
import { Field, StepFrame, type StepProps } from './step-frame.tsx';

/**
 * Desk phones (an extension and password for an agent, picked by name), each with its
 * registration state and a test call, and an optional carrier trunk.
 */
export function VoiceStep(props: StepProps) {
  const agents = useSignal<User[]>([]);
  const sipPort = useSignal<number | undefined>(undefined);
  const agentId = useSignal('');
  const extension = useSignal('');
  const phonePassword = useSignal('');
  const phones = useSignal<DeskPhone[]>([]);
  const trunk = useSignal({ name: '', host: '', port: '', username: '', password: '' });
  const addPhone = useAction();
  const loadPhones = async () => {
    phones.value = await fetchPhones(api);
  };
  useEffect(() => {
    // Registration comes and goes as the phones are plugged in: keep the badges current.
    void loadPhones().catch(() => undefined);
    const timer = setInterval(() => void loadPhones().catch(() => undefined), 3000);
    void fetchUsers(api).then((users) => {
      agents.value = users.filter((u) => u.roles.includes('agent'));
      agentId.value = agents.value[0]?.id ?? '';
    });
    void api
      .get<{ sip?: { port?: number } }>('/api/voice/status')
      .then((s) => {
        sipPort.value = s.sip?.port;
      })
      .catch(() => undefined);
    return () => clearInterval(timer);
  }, []);
  const nameOf = (id: string) => {
    const u = agents.value.find((a) => a.id === id);
    return u ? u.displayName || u.username : id;
  };
  const setTrunk = (k: keyof typeof trunk.value, v: string) => {
    trunk.value = { ...trunk.value, [k]: v };
  };

  return (
    <div class="stack">
      <form
        class="card stack"
        data-testid="setup-deskphone"
        onSubmit={(e) => {
          e.preventDefault();
          void addPhone.run(async () => {
            await createDeskPhone(api, {
              username: extension.value.trim(),
              password: phonePassword.value,
              userId: agentId.value,
            });
            await loadPhones();
            extension.value = '';
            phonePassword.value = '';
          });
        }}
      >
        <h2>{t('setup.step.voice')}</h2>
        <p>{t('setup.voice.intro')}</p>
        <p>
          <code data-testid="setup-sip-server">
            {location.hostname}
            {sipPort.value ? `:${sipPort.value}` : ''}
          </code>
        </p>
        <ul data-testid="setup-deskphones">
          {phones.value.map((p) => (
            <li key={p.username} class="row" data-testid={`setup-phone-${p.username}`}>
              <span>
                <code>{p.username}</code> → {p.userId ? nameOf(p.userId) : t('phones.noAgent')}
              </span>
              <PhoneTestCall phone={p} />
            </li>
          ))}
        </ul>
        <div class="row">
          <label>
            {t('setup.voice.agent')}
            <select
              data-testid="setup-phone-agent"
              required
              value={agentId.value}
              onChange={(e) => {
                agentId.value = e.currentTarget.value;
              }}
            >
              {agents.value.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.displayName || a.username}
                </option>
              ))}
            </select>
          </label>
          <Field
            label={t('setup.voice.extension')}
            testid="setup-phone-extension"
            required
            value={extension.value}
            onInput={(v) => {
              extension.value = v;
            }}
          />
          <Field
            label={t('setup.voice.password')}
            testid="setup-phone-password"
            type="password"
            required
            value={phonePassword.value}
            onInput={(v) => {
              phonePassword.value = v;
            }}
          />
        </div>
        <ErrorText code={addPhone.error} testid="setup-phone-error" />
        <button
          type="submit"
          class="secondary"
          data-testid="setup-phone-add"
          disabled={addPhone.busy || !agentId.value}
        >
          {t('setup.voice.addPhone')}
        </button>
      </form>
      <StepFrame
        step="voice"
        skip={props.skip}
        onSave={async () => {
          const tr = trunk.value;
          if (tr.host.trim()) {
            await saveTrunk(api, {
              name: tr.name.trim() || 'carrier',
              host: tr.host.trim(),
              ...(tr.port ? { port: Number(tr.port) } : {}),
              username: tr.username.trim(),
              password: tr.password,
            });
          }
          await props.done();
        }}
      >
        <h3>{t('setup.voice.trunk')}</h3>
        <p class="muted">{t('setup.voice.trunkIntro')}</p>
        <div class="row">
          <Field
            label={t('setup.voice.trunkName')}
            testid="setup-trunk-name"
            value={trunk.value.name}
            onInput={(v) => setTrunk('name', v)}
          />
          <Field
            label={t('setup.voice.trunkHost')}
            testid="setup-trunk-host"
            value={trunk.value.host}
            onInput={(v) => setTrunk('host', v)}
          />
          <Field
            label={t('setup.voice.trunkPort')}
            testid="setup-trunk-port"
            type="number"
            value={trunk.value.port}
            onInput={(v) => setTrunk('port', v)}
          />
          <Field
            label={t('setup.voice.trunkUser')}
            testid="setup-trunk-user"
            value={trunk.value.username}
            onInput={(v) => setTrunk('username', v)}
          />
          <Field
            label={t('setup.voice.trunkPassword')}
            testid="setup-trunk-password"
            type="password"
            value={trunk.value.password}
            onInput={(v) => setTrunk('password', v)}
          />
        </div>
      </StepFrame>
    </div>
  );
}
