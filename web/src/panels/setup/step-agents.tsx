import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { api } from '../../app-state.ts';
import { createUser } from '../../data/users.ts';
import { t } from '../../i18n/index.ts';
import { fetchRouting, putRouting } from './api.ts';
import { Field, StepFrame, type StepProps } from './step-frame.tsx';

const LANGUAGES = ['zh', 'en'] as const;
const CHANNELS = ['webchat', 'voice', 'email', 'wechat'] as const;
const DEFAULT_CAPACITY: Record<(typeof CHANNELS)[number], number> = {
  webchat: 3,
  voice: 1,
  email: 5,
  wechat: 3,
};

/**
 * Invites an agent: a user with the agent role and a routing profile (skills by
 * name with a level, languages, channels); the one-time password is shown once.
 */
export function AgentsStep(props: StepProps) {
  const skills = useSignal<Array<{ id: string; name: string }>>([]);
  const username = useSignal('');
  const displayName = useSignal('');
  const levels = useSignal<Record<string, number>>({});
  const languages = useSignal<string[]>(['zh']);
  const channels = useSignal<string[]>(['webchat', 'voice']);
  const invited = useSignal<Array<{ username: string; otp: string }>>([]);
  useEffect(() => {
    void fetchRouting(api).then((c) => {
      skills.value = c.skills.map(({ id, name }) => ({ id, name }));
    });
  }, []);
  const toggle = (list: string[], v: string, on: boolean) =>
    on ? [...new Set([...list, v])] : list.filter((x) => x !== v);

  const invite = async () => {
    const r = await createUser(api, {
      username: username.value.trim(),
      displayName: displayName.value.trim(),
      roles: ['agent'],
    });
    // Shown before the profile is saved: a refused profile must not lose the only copy of the password.
    invited.value = [...invited.value, { username: r.user.username, otp: r.oneTimePassword }];
    const capacity = Object.fromEntries(
      channels.value.map((ch) => [ch, DEFAULT_CAPACITY[ch as (typeof CHANNELS)[number]] ?? 1]),
    );
    await putRouting(api, 'agents', r.user.id, {
      displayName: displayName.value.trim(),
      skills: levels.value,
      languages: languages.value,
      capacity,
      totalCapacity: Math.max(1, ...Object.values(capacity)),
    });
    username.value = '';
    displayName.value = '';
    levels.value = {};
  };

  return (
    <div class="stack">
      {invited.value.length > 0 && (
        <div class="banner ok" data-testid="setup-agents-invited">
          <p>{t('setup.agents.otpOnce')}</p>
          <ul>
            {invited.value.map((i) => (
              <li key={i.username}>
                <code>{i.username}</code>:{' '}
                <code class="big otp" data-testid={`setup-agent-otp-${i.username}`}>
                  {i.otp}
                </code>
              </li>
            ))}
          </ul>
          <button type="button" data-testid="setup-agents-next" onClick={() => void props.done()}>
            {t('setup.agents.next')}
          </button>
        </div>
      )}
      <StepFrame step="agents" skip={props.skip} onSave={invite} saveLabel={t('setup.agents.invite')}>
        <h2>{t('setup.step.agents')}</h2>
        <p>{t('setup.agents.intro')}</p>
        <div class="row">
          <Field
            label={t('users.username')}
            testid="setup-agent-username"
            required
            value={username.value}
            onInput={(v) => {
              username.value = v;
            }}
          />
          <Field
            label={t('users.displayName')}
            testid="setup-agent-displayname"
            required
            value={displayName.value}
            onInput={(v) => {
              displayName.value = v;
            }}
          />
        </div>
        <fieldset>
          <legend>{t('setup.agents.skills')}</legend>
          {skills.value.length === 0 && <p class="muted">{t('setup.agents.noSkills')}</p>}
          {skills.value.map((s) => (
            <label key={s.id} class="choice">
              {s.name}
              <select
                data-testid={`setup-agent-skill-${s.id}`}
                value={String(levels.value[s.id] ?? 0)}
                onChange={(e) => {
                  const n = Number(e.currentTarget.value);
                  const { [s.id]: _, ...rest } = levels.value;
                  levels.value = n > 0 ? { ...rest, [s.id]: n } : rest;
                }}
              >
                <option value="0">{t('setup.agents.noSkill')}</option>
                {[1, 2, 3, 4, 5].map((l) => (
                  <option key={l} value={String(l)}>
                    {l}
                  </option>
                ))}
              </select>
            </label>
          ))}
        </fieldset>
        <fieldset class="choices">
          <legend>{t('setup.agents.languages')}</legend>
          {LANGUAGES.map((l) => (
            <label key={l} class="choice">
              <input
                type="checkbox"
                data-testid={`setup-agent-lang-${l}`}
                checked={languages.value.includes(l)}
                onChange={(e) => {
                  languages.value = toggle(languages.value, l, e.currentTarget.checked);
                }}
              />
              {t(`setup.lang.${l}`)}
            </label>
          ))}
        </fieldset>
        <fieldset class="choices">
          <legend>{t('setup.agents.channels')}</legend>
          {CHANNELS.map((ch) => (
            <label key={ch} class="choice">
              <input
                type="checkbox"
                data-testid={`setup-agent-channel-${ch}`}
                checked={channels.value.includes(ch)}
                onChange={(e) => {
                  channels.value = toggle(channels.value, ch, e.currentTarget.checked);
                }}
              />
              {t(`setup.channel.${ch}`)}
            </label>
          ))}
        </fieldset>
      </StepFrame>
    </div>
  );
}
