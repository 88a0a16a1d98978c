// `npm run bench -- <name>`: runs bench/<name>.ts and prints its figures as the last line (one JSON object).
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const name = process.argv[2];
if (!name || !/^[a-z0-9-]+$/.test(name)) {
  process.stderr.write('usage: npm run bench -- <name>   (store, login, ...)\n');
  process.exit(2);
}
const mod = (await import(pathToFileURL(path.join(import.meta.dirname, `${name}.ts`)).href)) as {
  run: () => Promise<Record<string, unknown>>;
};
const figures = await mod.run();
process.stdout.write(`${JSON.stringify({ ...figures, bench: name })}\n`);
process.exit(0);
