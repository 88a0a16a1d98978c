import { render } from 'preact';
import './styles.css';
import { App } from './app.tsx';
import { boot } from './app-state.ts';
import { syncPageTitle } from './components/page-title.ts';
import { locale } from './i18n/index.ts';

document.documentElement.lang = locale.value;
const root = document.getElementById('app');
if (root) render(<App />, root);
syncPageTitle();
void boot();
