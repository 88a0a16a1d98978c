import { allowedRoutes, me, navigate, type Route, route } from '../app-state.ts';
import { roleName, t } from '../i18n/index.ts';
import { AuditViewerPanel } from '../panels/audit-viewer.tsx';
import { RolesAdminPanel } from '../panels/roles-admin.tsx';
import { UsersAdminPanel } from '../panels/users-admin.tsx';

const LABEL = { users: 'nav.users', roles: 'nav.roles', audit: 'nav.audit' } as const;

function Home() {
  const user = me.value?.user;
  if (!user) return null;
  return (
    <section class="stack" data-testid="home">
      <h1>{t('home.welcome', { name: user.displayName || user.username })}</h1>
      <p>{t('home.roles', { roles: user.roles.map((r) => roleName(r)).join(', ') })}</p>
      {allowedRoutes.value.length === 0 && <p class="muted">{t('home.nothing')}</p>}
    </section>
  );
}

function Panel({ current }: { current: Route }) {
  // A route the user may not open (bookmark, role changed) falls back to home.
  if (current === 'home' || !allowedRoutes.value.some((r) => r === current)) return <Home />;
  if (current === 'users') return <UsersAdminPanel />;
  if (current === 'roles') return <RolesAdminPanel />;
  return <AuditViewerPanel />;
}

export function Shell() {
  return (
    <div class="shell">
      <nav class="side" aria-label={t('app.name')}>
        <a
          href="/"
          data-testid="nav-home"
          class={route.value === 'home' ? 'active' : ''}
          onClick={(e) => {
            e.preventDefault();
            navigate('home');
          }}
        >
          {t('nav.home')}
        </a>
        {allowedRoutes.value.map((r) => (
          <a
            key={r}
            href={`/${r}`}
            data-testid={`nav-${r}`}
            class={route.value === r ? 'active' : ''}
            aria-current={route.value === r ? 'page' : undefined}
            onClick={(e) => {
              e.preventDefault();
              navigate(r);
            }}
          >
            {t(LABEL[r])}
          </a>
        ))}
      </nav>
      <main id="main" class="content">
        <Panel current={route.value} />
      </main>
    </div>
  );
}
