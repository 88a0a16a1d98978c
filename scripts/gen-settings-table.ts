// Writes the settings table into README.md between <!-- settings:begin --> and
// <!-- settings:end --> from appliance/src/config/settings.ts.
//   node --import tsx scripts/gen-settings-table.ts          rewrite README.md
//   node --import tsx scripts/gen-settings-table.ts --check  exit 1 when README.md differs
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { withSettingsTable } from '../appliance/src/config/index.ts';

const readmePath = path.resolve(import.meta.dirname, '../README.md');
const readme = readFileSync(readmePath, 'utf8');
const next = withSettingsTable(readme);
if (process.argv.includes('--check')) {
  if (next !== readme) {
    process.stderr.write(
      'README.md settings table is out of date: node --import tsx scripts/gen-settings-table.ts\n',
    );
    process.exit(1);
  }
} else if (next !== readme) {
  writeFileSync(readmePath, next);
  process.stdout.write('README.md settings table updated\n');
}
