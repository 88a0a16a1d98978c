import { allowedPanels, me, navigate, type Route, route } from '../app-state.ts';
import { roleName, t } from '../i18n/index.ts';

function Home() {
  const user = me.value?.user;
  if (!user) return null;
  return (
    <section class="stack" data-testid="home">
      <h1>{t('home.welcome', { name: user.displayName || user.username })}</h1>
      <p>{t('home.roles', { roles: user.roles.map((r) => roleName(r)).join(', ') })}</p>
      {allowedPanels.value.length === 0 && <p class="muted">{t('home.nothing')}</p>}
    </section>
  );
}

function Panel({ current }: { current: Route }) {
  // A route the user may not open (bookmark, role changed) falls back to home.
  const entry = allowedPanels.value.find((p) => p.route === current);
  if (!entry) return <Home />;
  const Page = entry.component;
  return <Page />;
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
        {allowedPanels.value.map(({ route: r, label }) => (
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
            {t(label)}
          </a>
        ))}
      </nav>
      <main id="main" class="content">
        <Panel current={route.value} />
      </main>
    </div>
  );
}
