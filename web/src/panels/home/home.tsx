import { useSignal } from '@preact/signals';
import { useEffect } from 'preact/hooks';
import { allowedPanels, api, can, me, navigate } from '../../app-state.ts';
import { ErrorText } from '../../components/error-text.tsx';
import { useAction } from '../../components/use-action.ts';
import { locale, roleName, t } from '../../i18n/index.ts';
import { fetchSetup, type SetupView, STEPS } from '../setup/api.ts';
import { fetchWallboard, pct, type Wallboard } from '../wallboard/api.ts';

interface Health {
  status: string;
  version?: string;
  uptimeS?: number;
  checks?: Record<string, { ok: boolean; detail?: string }>;
  system?: { cpuLoad: number; memUsedPct: number; diskFreePct: number } | null;
}

/** Admin: the setup checklist until every step is done or skipped. */
function SetupChecklist({ view }: { view: SetupView }) {
  return (
    <section class="card stack" data-testid="home-setup-checklist">
      <h2>{t('home.setup.title')}</h2>
      <p>{t('home.setup.intro')}</p>
      <ul>
        {STEPS.map((s) => (
          <li key={s} data-testid={`home-setup-${s}`} data-state={view.steps[s]}>
            {view.steps[s] === 'done' ? '✓' : view.steps[s] === 'skipped' ? '–' : '○'} {t(`setup.step.${s}`)}
          </li>
        ))}
      </ul>
      <button type="button" data-testid="home-setup-continue" onClick={() => navigate('setup')}>
        {t('home.setup.continue')}
      </button>
    </section>
  );
}

interface BackupEntry {
  name: string;
  bytes: number;
  at: string;
}

interface Certificates {
  ca: { fingerprintSha256: string; subject: string; validTo: string } | null;
  server: { subjectAltNames: string[]; validFrom: string; validTo: string } | null;
  download: string;
}

const when = (iso: string) => new Date(iso).toLocaleString(locale.value);

/** The backups on this box, the last one's time, and "back up now" (audited by the appliance). */
function Backups() {
  const list = useSignal<BackupEntry[] | undefined>(undefined);
  const done = useSignal('');
  const action = useAction();
  const load = () =>
    api.get<{ backups: BackupEntry[] }>('/api/system/backups').then((r) => {
      list.value = r.backups;
    });
  useEffect(() => {
    void action.run(load);
  }, []);
  const latest = list.value?.[0];
  return (
    <section class="stack" data-testid="home-backups">
      <h3>{t('home.admin.backups')}</h3>
      {list.value &&
        (latest ? (
          <p data-testid="home-backup-last">{t('home.admin.lastBackup', { at: when(latest.at) })}</p>
        ) : (
          <p class="muted" data-testid="home-backup-none">
            {t('home.admin.noBackups')}
          </p>
        ))}
      <ul data-testid="home-backup-list">
        {list.value?.slice(0, 5).map((b) => (
          <li key={b.name} data-testid="home-backup">
            {t('home.admin.backupSize', {
              name: b.name,
              size: (b.bytes / 1_048_576).toFixed(1),
              at: when(b.at),
            })}
          </li>
        ))}
      </ul>
      <div class="row">
        <button
          type="button"
          data-testid="home-backup-now"
          disabled={action.busy}
          onClick={() =>
            void action.run(async () => {
              done.value = '';
              const b = await api.post<BackupEntry>('/api/system/backups');
              done.value = b.name;
              await load();
            })
          }
        >
          {action.busy ? t('common.working') : t('home.admin.backupNow')}
        </button>
        {done.value && (
          <span data-testid="home-backup-done">{t('home.admin.backupDone', { name: done.value })}</span>
        )}
      </div>
      <ErrorText code={action.error} testid="home-backup-error" />
    </section>
  );
}

/** The local CA (fingerprint to compare, download) and the server certificate's names and expiry. */
function CertificatesCard() {
  const certs = useSignal<Certificates | undefined>(undefined);
  useEffect(() => {
    void api
      .get<Certificates>('/api/system/certificates')
      .then((c) => {
        certs.value = c;
      })
      .catch(() => undefined);
  }, []);
  const c = certs.value;
  if (!c) return null;
  return (
    <section class="stack" data-testid="home-certs">
      <h3>{t('home.admin.certs')}</h3>
      {!c.ca && <p class="muted">{t('home.admin.noCerts')}</p>}
      {c.ca && (
        <>
          <p>
            {t('home.admin.caFingerprint', { fp: '' })}
            <code class="wrap" data-testid="home-ca-fingerprint">
              {c.ca.fingerprintSha256}
            </code>
          </p>
          <p>{t('home.admin.caExpiry', { at: when(c.ca.validTo) })}</p>
          <p>
            <a href={c.download} download data-testid="home-ca-download">
              {t('home.admin.caDownload')}
            </a>
          </p>
        </>
      )}
      {c.server && (
        <>
          <p data-testid="home-server-names">
            {t('home.admin.serverNames', { names: c.server.subjectAltNames.join(', ') })}
          </p>
          <p data-testid="home-server-expiry">
            {t('home.admin.serverExpiry', { at: when(c.server.validTo) })}
          </p>
        </>
      )}
    </section>
  );
}

/** Admin after setup: health, its checks (alarms), storage and version, from /healthz. */
function AdminHome() {
  const health = useSignal<Health | undefined>(undefined);
  useEffect(() => {
    void fetch('/healthz')
      .then((r) => r.json() as Promise<Health>)
      .then((h) => {
        health.value = h;
      })
      .catch(() => undefined);
  }, []);
  const h = health.value;
  if (!h) return null;
  const failing = Object.entries(h.checks ?? {}).filter(([, c]) => !c.ok);
  return (
    <section class="card stack" data-testid="home-admin">
      <h2>{t('home.admin.title')}</h2>
      <p data-testid="home-health" data-status={h.status}>
        {t('home.admin.status', { status: h.status, version: h.version ?? '' })}
      </p>
      {h.system && (
        <p>
          {t('home.admin.system', {
            cpu: Math.round(h.system.cpuLoad),
            mem: Math.round(h.system.memUsedPct),
            disk: Math.round(h.system.diskFreePct),
          })}
        </p>
      )}
      {h.system && (
        <p data-testid="home-storage">
          {t('home.admin.storage', { free: Math.round(h.system.diskFreePct) })}
        </p>
      )}
      <h3>{t('home.admin.alarms')}</h3>
      {failing.length === 0 ? (
        <p class="muted">{t('home.admin.noAlarms')}</p>
      ) : (
        <ul data-testid="home-alarms">
          {failing.map(([name, c]) => (
            <li key={name}>
              <code>{name}</code> {c.detail ?? ''}
            </li>
          ))}
        </ul>
      )}
      <ul>
        {Object.entries(h.checks ?? {})
          .filter(([, c]) => c.ok)
          .map(([name, c]) => (
            <li key={name}>
              ✓ <code>{name}</code> {c.detail ?? ''}
            </li>
          ))}
      </ul>
      <Backups />
      <CertificatesCard />
    </section>
  );
}

/** Supervisor: today at a glance, from the wallboard's data. */
function SupervisorHome() {
  const wb = useSignal<Wallboard | undefined>(undefined);
  useEffect(() => {
    void fetchWallboard(api)
      .then((w) => {
        wb.value = w;
      })
      .catch(() => undefined);
  }, []);
  const w = wb.value;
  if (!w) return null;
  return (
    <section class="card stack" data-testid="home-supervisor">
      <h2>{t('home.supervisor.title')}</h2>
      <p>
        {t('home.supervisor.today', {
          offered: w.kpis.offered,
          answered: w.kpis.answered,
          abandoned: w.kpis.abandoned,
          sl: pct(w.kpis.serviceLevel),
        })}
      </p>
      <p>
        {t('home.supervisor.now', {
          waiting: w.waiting,
          available: w.agents.available,
          onContact: w.agents.onContact,
        })}
      </p>
    </section>
  );
}

const stateText = (s: { state: string; reason?: string }) =>
  s.state === 'available'
    ? t('agent.available')
    : s.state === 'not_ready'
      ? t('agent.notReady', { reason: s.reason ?? '' })
      : t('agent.offline');

/** Agent: my status, and the way to the desk. */
function AgentHome() {
  const state = useSignal<{ state: string; reason?: string } | undefined>(undefined);
  useEffect(() => {
    void api
      .get<{ state: string; reason?: string }>('/api/routing/me/state')
      .then((s) => {
        state.value = s;
      })
      .catch(() => undefined);
  }, []);
  return (
    <section class="card stack" data-testid="home-agent">
      <h2>{t('home.agent.title')}</h2>
      <p data-testid="home-agent-state" data-state={state.value?.state}>
        {state.value ? t('home.agent.state', { state: stateText(state.value) }) : t('home.agent.noProfile')}
      </p>
      <button type="button" data-testid="home-agent-desk" onClick={() => navigate('agent')}>
        {t('home.agent.open')}
      </button>
    </section>
  );
}

export function Home() {
  const user = me.value?.user;
  const setup = useSignal<SetupView | undefined>(undefined);
  const admin = can('system.manage');
  useEffect(() => {
    if (admin)
      void fetchSetup(api)
        .then((v) => {
          setup.value = v;
        })
        .catch(() => undefined);
  }, [admin]);
  if (!user) return null;
  return (
    <section class="stack" data-testid="home">
      <h1>{t('home.welcome', { name: user.displayName || user.username })}</h1>
      <p>{t('home.roles', { roles: user.roles.map((r) => roleName(r)).join(', ') })}</p>
      {allowedPanels.value.length === 0 && <p class="muted">{t('home.nothing')}</p>}
      {admin && setup.value && !setup.value.complete && <SetupChecklist view={setup.value} />}
      {admin && setup.value?.complete && <AdminHome />}
      {can('contacts.monitor') && <SupervisorHome />}
      {can('contacts.handle') && <AgentHome />}
    </section>
  );
}
