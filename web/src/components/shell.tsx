import { allowedPanels, navigate, type Route, route } from '../app-state.ts';
import { t } from '../i18n/index.ts';
import { Home } from '../panels/home/home.tsx';

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
      <main id="main" class="content" tabIndex={-1}>
        <Panel current={route.value} />
      </main>
    </div>
  );
}
