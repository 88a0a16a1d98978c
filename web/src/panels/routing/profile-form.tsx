import { useSignal } from '@preact/signals';
import { api } from '../../app-state.ts';
import type { User } from '../../data/auth.ts';
import { t } from '../../i18n/index.ts';
import { type AgentRow, type SkillItem, saveItem } from './api.ts';
import { SaveError, useSave } from './save-error.tsx';

const CHANNELS = ['voice', 'webchat', 'email', 'wechat', 'wecom'] as const;
const DEFAULT_CAPACITY: Record<string, number> = { voice: 1, webchat: 3, email: 5, wechat: 3, wecom: 3 };

/**
 * An agent profile: the user picked by name (never an id), skills with levels
 * picked from routing's skills, languages, and how many contacts per channel.
 */
export function ProfileForm(props: {
  initial?: AgentRow | undefined;
  users: User[];
  skills: SkillItem[];
  onSaved: () => void;
}) {
  const userId = useSignal(props.initial?.userId ?? '');
  const levels = useSignal<Record<string, number>>({ ...(props.initial?.skills ?? {}) });
  const languages = useSignal((props.initial?.languages ?? ['zh']).join(', '));
  const capacity = useSignal<Record<string, number>>({ ...(props.initial?.capacity ?? DEFAULT_CAPACITY) });
  const total = useSignal(props.initial?.totalCapacity ?? 5);
  const save = useSave();
  const submit = (e: Event) => {
    e.preventDefault();
    const user = props.users.find((u) => u.id === userId.value);
    void save
      .run(() =>
        saveItem(api, 'agents', userId.value, {
          ...(user ? { displayName: user.displayName } : {}),
          skills: levels.value,
          languages: languages.value
            .split(/[,\s，]+/)
            .map((l) => l.trim())
            .filter(Boolean),
          capacity: Object.fromEntries(Object.entries(capacity.value).filter(([, n]) => n > 0)),
          totalCapacity: total.value,
        }),
      )
      .then((ok) => ok && props.onSaved());
  };
  return (
    <form class="card stack" onSubmit={submit} data-testid="routing-form-agents">
      <label>
        {t('routing.user')}
        <select
          data-testid="profile-user"
          required
          disabled={props.initial !== undefined}
          value={userId.value}
          onChange={(e) => (userId.value = e.currentTarget.value)}
        >
          <option value="">{t('routing.pickUser')}</option>
          {props.users.map((u) => (
            <option key={u.id} value={u.id}>
              {u.displayName} ({u.username})
            </option>
          ))}
        </select>
      </label>
      <fieldset>
        <legend>{t('routing.skillLevels')}</legend>
        {props.skills.length === 0 ? <p class="muted">{t('routing.noSkills')}</p> : null}
        {props.skills.map((s) => (
          <label key={s.id} class="row">
            {s.name}
            <select
              data-testid={`profile-skill-${s.id}`}
              value={String(levels.value[s.id] ?? '')}
              onChange={(e) => {
                const next = { ...levels.value };
                const v = Number(e.currentTarget.value);
                if (v) next[s.id] = v;
                else delete next[s.id];
                levels.value = next;
              }}
            >
              <option value="">{t('routing.noLevel')}</option>
              {[1, 2, 3, 4, 5].map((n) => (
                <option key={n} value={String(n)}>
                  {n}
                </option>
              ))}
            </select>
          </label>
        ))}
      </fieldset>
      <label>
        {t('routing.languages')}
        <input
          data-testid="profile-languages"
          value={languages.value}
          onInput={(e) => (languages.value = e.currentTarget.value)}
        />
      </label>
      <fieldset>
        <legend>{t('routing.capacity')}</legend>
        {CHANNELS.map((ch) => (
          <label key={ch} class="row">
            {t(`routing.channel.${ch}`)}
            <input
              type="number"
              min={0}
              max={50}
              data-testid={`profile-capacity-${ch}`}
              value={String(capacity.value[ch] ?? 0)}
              onInput={(e) =>
                (capacity.value = { ...capacity.value, [ch]: Number(e.currentTarget.value) || 0 })
              }
            />
          </label>
        ))}
        <label class="row">
          {t('routing.totalCapacity')}
          <input
            type="number"
            min={1}
            max={100}
            data-testid="profile-total"
            value={String(total.value)}
            onInput={(e) => (total.value = Number(e.currentTarget.value) || 1)}
          />
        </label>
      </fieldset>
      <SaveError refusal={save.refusal} />
      <button type="submit" data-testid="routing-form-save" disabled={save.busy}>
        {t('common.save')}
      </button>
    </form>
  );
}
