import { SETTINGS, type Setting } from './settings.ts';

export const TABLE_BEGIN = '<!-- settings:begin -->';
export const TABLE_END = '<!-- settings:end -->';

const code = (s: string) => `\`${s}\``;

function defaultCell(s: Readonly<Setting>): string {
  if (s.defaultText !== undefined) return s.defaultText;
  if (s.default === undefined) return 'unset';
  return code(s.default);
}

function typeCell(s: Readonly<Setting>): string {
  if (s.kind === 'integer') return `integer ${s.min}..${s.max}`;
  if (s.kind === 'choice') return (s.choices ?? []).join(' \\| ');
  if (s.kind === 'on|off') return 'on \\| off';
  return s.kind;
}

/**
 * The README block between the settings markers, generated from SETTINGS.
 * @example
 * renderSettingsTable().startsWith('<!-- settings:begin -->'); // true
 */
export function renderSettingsTable(): string {
  const rows = SETTINGS.map(
    (s) =>
      `| ${code(s.name)} | ${s.program} | ${typeCell(s)} | ${defaultCell(s)} | ${s.description}${s.secret ? ' (secret: masked by `branchline config`)' : ''} |`,
  );
  return [
    TABLE_BEGIN,
    '<!-- generated from appliance/src/config/settings.ts by `node --import tsx scripts/gen-settings-table.ts`; do not edit -->',
    '',
    '| variable | read by | type | default | what |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
    'Not a variable but found only in the source until now: the IVR flow that answers trunk calls is the flow with id `inbound` (a fresh appliance answers with a built-in default; a flow an admin writes must keep that id).',
    TABLE_END,
  ].join('\n');
}

/** `readme` with its settings block replaced by the generated one; TypeError when a marker is missing. */
export function withSettingsTable(readme: string): string {
  const begin = readme.indexOf(TABLE_BEGIN);
  const end = readme.indexOf(TABLE_END);
  if (begin < 0 || end < begin) {
    throw new TypeError(`Cannot find ${TABLE_BEGIN} … ${TABLE_END} in README.md`);
  }
  return readme.slice(0, begin) + renderSettingsTable() + readme.slice(end + TABLE_END.length);
}
