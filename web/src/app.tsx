import { stage } from './app-state.ts';
import { Header } from './components/header.tsx';
import { Shell } from './components/shell.tsx';
import { SkipLink } from './components/skip-link.tsx';
import { t } from './i18n/index.ts';
import { LoginPanel } from './panels/login.tsx';
import { MfaEnrolPanel } from './panels/mfa-enrol.tsx';
import { PasswordChangePanel } from './panels/password-change.tsx';

function Stage() {
  switch (stage.value) {
    case 'loading':
      return <p class="muted center">{t('app.loading')}</p>;
    case 'login':
      return <LoginPanel />;
    case 'password':
      return <PasswordChangePanel />;
    case 'mfa':
      return <MfaEnrolPanel />;
    case 'shell':
      return <Shell />;
  }
}

export function App() {
  return (
    <>
      <SkipLink />
      <Header />
      <Stage />
    </>
  );
}
