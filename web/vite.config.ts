import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

// The appliance serves dist/console under a strict CSP (no inline script or style),
// so nothing may be inlined: no modulepreload polyfill, no inlined assets, CSS as a file.
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [preact()],
  build: {
    outDir: 'dist/console',
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    target: 'es2022',
    sourcemap: false,
  },
  server: {
    // `npm run dev -w web` against a locally running appliance.
    proxy: { '/api': { target: 'https://127.0.0.1:8443', secure: false, ws: true } },
  },
});
