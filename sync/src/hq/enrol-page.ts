import { DATA_CLASSES } from '../policy.ts';

/**
 * "Add branch": HQ issues the branch's credentials and a one-time join bundle,
 * which the console script shows once as text, QR code and a file to download.
 */
export const ADD_BRANCH_FORM =
  `<form data-testid="hq-add-branch" data-hq-action="/api/branches" data-hq-method="POST" data-hq-render="bundle">` +
  `<label>Branch id <input name="branch" required pattern="[A-Za-z0-9_]{1,32}" data-testid="hq-new-branch-id"></label> ` +
  `<label>Name <input name="name" required maxlength="100" data-testid="hq-new-branch-name"></label> ` +
  `<button type="submit" data-testid="hq-add-branch-submit">Add branch</button><output data-hq-out data-testid="hq-add-branch-error"></output></form>` +
  `<section data-testid="hq-bundle" hidden><p data-testid="hq-bundle-title"></p>` +
  `<p>Give it to the branch admin (branch console → Join HQ). It is shown this once; adding the branch again issues a new one and the old one stops working.</p>` +
  `<p data-testid="hq-bundle-ca"></p>` +
  `<textarea data-testid="hq-bundle-text" readonly rows="6" cols="80"></textarea>` +
  `<div data-testid="hq-bundle-qr"></div><a data-testid="hq-bundle-download" href="#">Download bundle file</a></section>`;

// Not page.ts's esc: page.ts imports this file.
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const option = (v: string) => `<option value="${esc(v)}">${esc(v)}</option>`;

/** The minimal policy editor: one field's rule for one branch, issued signed as the next version. */
export function policyForm(branches: string[]): string {
  return (
    `<form data-testid="hq-policy-change" data-hq-action="/api/policy-changes" data-hq-method="POST">` +
    `<label>Branch <select name="branch" data-testid="hq-policy-branch">${branches.map(option).join('')}</select></label> ` +
    `<label>Class <select name="cls" data-testid="hq-policy-class">${DATA_CLASSES.map(option).join('')}</select></label> ` +
    `<label>Field <input name="field" required pattern="[A-Za-z][A-Za-z0-9_]{0,63}" data-testid="hq-policy-field"></label> ` +
    `<label>Rule <select name="rule" data-testid="hq-policy-rule">${['plain', 'token', 'sealed', 'withheld'].map(option).join('')}</select></label> ` +
    `<button type="submit" data-testid="hq-policy-publish">Sign and publish</button><output data-hq-out></output></form>`
  );
}
