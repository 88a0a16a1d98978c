import type { RecordField } from './reveal.ts';

function esc(s: unknown): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function shell(title: string, body: string): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>` +
    `<script src="/hq-console.js" defer></script></head><body><p><a href="/">HQ console</a></p>` +
    `<h1>${esc(title)}</h1>${body}</body></html>`
  );
}

const enc = encodeURIComponent;

/** A branch's records of one class, each linking to its field view. */
export function renderRecordList(branch: string, cls: string, ids: string[]): string {
  const classes = ['tickets', 'crm']
    .map((c) => `<a href="/records/${enc(branch)}/${c}" data-testid="hq-records-${c}">${c}</a>`)
    .join(' · ');
  const items = ids
    .map(
      (id) =>
        `<li><a data-testid="hq-record-link" href="/records/${enc(branch)}/${enc(cls)}/${enc(id)}">${esc(id)}</a></li>`,
    )
    .join('');
  return shell(
    `Branch ${branch}: ${cls}`,
    `<p>${classes}</p><ul data-testid="hq-record-list">${items || '<li>none</li>'}</ul>`,
  );
}

/**
 * One record field by field. A sealed field shows "sealed" and, for an
 * operator with the reveal right, a Reveal form that needs a written reason;
 * the value is shown once in the page and never stored by it.
 */
export function renderRecord(
  branch: string,
  cls: string,
  record: { id: string; fields: Record<string, RecordField> },
  options: { canReveal: boolean },
): string {
  const action = `/api/branches/${enc(branch)}/records/${enc(cls)}/${enc(record.id)}/reveal`;
  const rows = Object.entries(record.fields)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, f]) => {
      const shown =
        f.kind === 'sealed'
          ? options.canReveal
            ? `sealed <form data-testid="hq-reveal-${esc(name)}" data-hq-action="${esc(action)}" data-hq-render="reveal">` +
              `<input type="hidden" name="field" value="${esc(name)}">` +
              `<input name="reason" required maxlength="500" placeholder="reason for revealing">` +
              `<button type="submit">Reveal</button><output data-hq-out data-testid="hq-revealed-${esc(name)}"></output></form>`
            : 'sealed'
          : f.kind === 'withheld'
            ? 'withheld'
            : typeof f.value === 'string'
              ? f.value
              : JSON.stringify(f.value);
      const cell = f.kind === 'sealed' && options.canReveal ? shown : esc(shown);
      return `<tr data-testid="hq-field-${esc(name)}" data-kind="${f.kind}"><td>${esc(name)}</td><td>${esc(f.kind)}</td><td>${cell}</td></tr>`;
    })
    .join('');
  return shell(
    `Branch ${branch}: ${cls} ${record.id}`,
    `<table data-testid="hq-record"><thead><tr><th>field</th><th>kind</th><th>value</th></tr></thead><tbody>${rows}</tbody></table>`,
  );
}
