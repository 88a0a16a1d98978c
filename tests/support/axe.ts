import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { ROOT } from './appliance.ts';

let source: string | undefined;

/** One axe-core finding, short enough for an assertion message. */
export interface AxeFinding {
  id: string;
  impact: string;
  help: string;
  targets: string[];
}

/**
 * Runs axe-core (WCAG 2.0–2.2 A/AA rules) on the page as it is now and returns
 * the serious and critical violations. The script is evaluated over the
 * DevTools protocol, so the console's strict CSP (no inline scripts) stays on.
 */
export async function seriousAxeViolations(page: Page): Promise<AxeFinding[]> {
  source ??= readFileSync(path.join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
  const loaded = await page.evaluate('typeof window.axe === "object"');
  if (!loaded) await page.evaluate(source);
  const found = (await page.evaluate(`(async () => {
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
    });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact || '',
      help: v.help,
      targets: v.nodes.map((n) => String(n.target.join(' '))).slice(0, 5),
    }));
  })()`)) as AxeFinding[];
  return found.filter((f) => f.impact === 'serious' || f.impact === 'critical');
}
