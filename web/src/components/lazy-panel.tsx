import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { t } from '../i18n/index.ts';
import { ErrorText } from './error-text.tsx';

/**
 * A page whose code is fetched on first render (its own chunk), so the first load
 * carries only the shell and the pages a user opens. Shows the loading text until
 * the chunk arrives; a chunk that fails to load (network down, appliance updated
 * under an open tab) shows NETWORK_ERROR and is fetched again on the next visit.
 * @example
 * component: lazyPanel(() => import('./users-admin.tsx').then((m) => m.UsersAdminPanel)),
 */
export function lazyPanel<P extends object>(load: () => Promise<ComponentType<P>>): ComponentType<P> {
  let loaded: ComponentType<P> | undefined;
  let pending: Promise<ComponentType<P>> | undefined;
  const fetchOnce = () => {
    pending ??= load().then(
      (c) => {
        loaded = c;
        return c;
      },
      (e: unknown) => {
        pending = undefined; // the next visit tries again
        throw e;
      },
    );
    return pending;
  };

  return function LazyPanel(props: P) {
    const [, setReady] = useState(false);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (loaded) return;
      let live = true;
      fetchOnce().then(
        () => live && setReady(true),
        () => live && setFailed(true),
      );
      return () => {
        live = false;
      };
    }, []);
    const Page = loaded;
    if (Page) return <Page {...props} />;
    if (failed) return <ErrorText code="NETWORK_ERROR" testid="panel-load-error" />;
    return (
      <p class="muted" data-testid="panel-loading">
        {t('app.loading')}
      </p>
    );
  };
}
