import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import { ErrorText } from './error-text.tsx';

/**
 * After a chunk failed: a document never fetches a module again once its import failed
 * (the browser keeps the failure in its module map), so the retry is a reload of the
 * current URL, once the appliance answers again (otherwise the error stays on screen).
 */
async function reloadWhenReachable(): Promise<never> {
  const res = await fetch('/healthz', { cache: 'no-store' });
  if (!res.ok) throw new Error(`Cannot reload the console: /healthz answered ${res.status}`);
  location.reload();
  return new Promise<never>(() => undefined); // the document is going away
}

/**
 * A page whose code is fetched on first render (its own chunk), so the first load
 * carries only the shell and the pages a user opens. Shows the loading text until
 * the chunk arrives; a chunk that fails to load (network down, appliance updated
 * under an open tab) shows NETWORK_ERROR, and the next visit reloads the console.
 * @example
 * component: lazyPanel(() => import('./users-admin.tsx').then((m) => m.UsersAdminPanel)),
 */
export function lazyPanel<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let loaded: ComponentType<P> | undefined;
  let pending: Promise<ComponentType<P>> | undefined;
  let failed = false;
  const fetchOnce = () => {
    pending ??= (failed ? reloadWhenReachable() : load()).then(
      (c) => {
        loaded = c;
        return c;
      },
      (e: unknown) => {
        failed = true;
        pending = undefined; // the next visit tries again
        throw e;
      },
    );
    return pending;
  };

  return function LazyPanel(props: P) {
    const [, setReady] = useState(false);
    const [error, setError] = useState(false);
    useEffect(() => {
      if (loaded) return;
      let live = true;
      fetchOnce().then(
        () => live && setReady(true),
        () => live && setError(true),
      );
      return () => {
        live = false;
      };
    }, []);
    const Page = loaded;
    if (Page) return <Page {...props} />;
    if (error) return <ErrorText code="NETWORK_ERROR" testid="panel-load-error" />;
    return (
      <p class="muted" data-testid="panel-loading">
        {t('app.loading')}
      </p>
    );
  };
}
