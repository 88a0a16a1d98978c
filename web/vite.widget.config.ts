import { gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

// Prints the widget's gzip size so a regression past the 15 KB budget (issue 13; script and CSS together, as served) is visible in every build.
const reportSize = (): Plugin => ({
  name: 'branchline-widget-size',
  generateBundle(_opts, bundle) {
    for (const [name, chunk] of Object.entries(bundle)) {
      if (chunk.type !== 'chunk') continue;
      const gz = gzipSync(chunk.code).byteLength;
      this.info(`widget ${name}: ${chunk.code.length} bytes, ${gz} bytes gzip (budget 15360 with the CSS)`);
      if (gz > 15 * 1024) this.error(`widget ${name} is ${gz} bytes gzip, over the 15 KB budget`);
    }
  },
});

// One self-contained IIFE for third-party pages; CSS and the demo page are copied from src/widget/public.
export default defineConfig({
  root: import.meta.dirname,
  publicDir: 'src/widget/public',
  plugins: [reportSize()],
  logLevel: 'info',
  build: {
    outDir: 'dist/widget',
    emptyOutDir: true,
    target: 'es2020',
    sourcemap: false,
    lib: {
      entry: 'src/widget/widget.ts',
      name: 'BranchlineWidget',
      formats: ['iife'],
      fileName: () => 'widget.js',
    },
  },
});
