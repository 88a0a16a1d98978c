// The embeddable widget: one script tag, a shadow root, styles from widget.css (no inline styles).
import { callBlock } from './call.ts';
import { textFor } from './i18n.ts';
import {
  type LeaveForm,
  randomId,
  type SocketLike,
  type WidgetLook,
  type WidgetMessage,
  WidgetSession,
} from './protocol.ts';

const script = document.currentScript as HTMLScriptElement | null;
const origin = new URL(script?.src ?? location.href).origin;
const lang = script?.dataset['lang'] ?? navigator.language;
const t = textFor(lang);
const KEY = 'branchline.visitor';
const token = localStorage.getItem(KEY) ?? randomId(24);
localStorage.setItem(KEY, token);

function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  cls: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}
const tid = (e: HTMLElement, id: string) => e.setAttribute('data-testid', id);

const host = el('div', 'bl-host');
// The embed snippet's look (set in the console's setup wizard): a CSSOM property, not an inline style attribute.
const colour = script?.dataset['colour'];
if (colour && /^#[0-9a-fA-F]{6}$/.test(colour)) host.style.setProperty('--bl-accent', colour);
const greetingText = script?.dataset['greeting']?.trim().slice(0, 300);
const root = host.attachShadow({ mode: 'open' });
const css = document.createElement('link');
css.rel = 'stylesheet';
css.href = `${origin}/widget/widget.css`;
root.append(css);
const launcher = el('button', 'bl-launcher', t.open);
tid(launcher, 'bl-launcher');
const panel = el('section', 'bl-panel bl-hidden');
tid(panel, 'bl-panel');
const head = el('header', 'bl-head', t.title);
const banner = el('p', 'bl-banner bl-hidden');
tid(banner, 'bl-banner');
const list = el('ol', 'bl-list');
tid(list, 'bl-list');
const typing = el('p', 'bl-typing bl-hidden', t.typing);
tid(typing, 'bl-typing');

const prechat = el('form', 'bl-prechat');
tid(prechat, 'bl-prechat');
prechat.append(el('h2', 'bl-h', t.prechatTitle));
const field = (form: HTMLFormElement, prefix: string, name: string, label: string, type: string) => {
  const l = el('label', 'bl-field', label);
  const i = el('input', 'bl-input');
  i.name = name;
  i.type = type;
  tid(i, `${prefix}-${name}`);
  l.append(i);
  form.append(l);
  return i;
};
const fName = field(prechat, 'bl-prechat', 'name', t.name, 'text');
const fPhone = field(prechat, 'bl-prechat', 'phone', t.phone, 'tel');
const fEmail = field(prechat, 'bl-prechat', 'email', t.email, 'email');
const startBtn = el('button', 'bl-btn', t.start);
tid(startBtn, 'bl-prechat-start');
prechat.append(startBtn);

// Out of hours the chat becomes a form: contact details and a message, answered when the branch opens.
const leave = el('form', 'bl-leave bl-hidden');
tid(leave, 'bl-leave');
leave.append(el('h2', 'bl-h', t.leaveTitle), el('p', 'bl-note', t.leaveNote));
const lName = field(leave, 'bl-leave', 'name', t.name, 'text');
const lPhone = field(leave, 'bl-leave', 'phone', t.phone, 'tel');
const lEmail = field(leave, 'bl-leave', 'email', t.email, 'email');
const lText = el('textarea', 'bl-text');
lText.name = 'text';
tid(lText, 'bl-leave-text');
const lLabel = el('label', 'bl-field', t.message);
lLabel.append(lText);
const lError = el('p', 'bl-error bl-hidden', t.leaveNeedContact);
tid(lError, 'bl-leave-error');
const leaveBtn = el('button', 'bl-btn', t.leaveSend);
tid(leaveBtn, 'bl-leave-send');
leave.append(lLabel, lError, leaveBtn);
const leaveDone = el('p', 'bl-note bl-hidden', t.leaveThanks);
tid(leaveDone, 'bl-leave-done');
let leaveCid: string | undefined;

const composer = el('form', 'bl-composer bl-hidden');
const input = el('textarea', 'bl-text');
input.placeholder = t.placeholder;
tid(input, 'bl-input');
const file = el('input', 'bl-file');
file.type = 'file';
tid(file, 'bl-file');
const sendBtn = el('button', 'bl-btn', t.send);
tid(sendBtn, 'bl-send');
composer.append(input, file, sendBtn);

const csat = el('div', 'bl-csat bl-hidden');
tid(csat, 'bl-csat');
csat.append(el('p', 'bl-h', t.rate));
for (let n = 1; n <= 5; n++) {
  const b = el('button', 'bl-star', String(n));
  tid(b, `bl-csat-${n}`);
  b.type = 'button';
  b.onclick = () => {
    session.csat(n);
    csat.replaceChildren(el('p', 'bl-h', t.thanks));
  };
  csat.append(b);
}
const greeting = el('p', `bl-greeting${greetingText ? '' : ' bl-hidden'}`, greetingText ?? '');
tid(greeting, 'bl-greeting');
const privacy = el('p', 'bl-note bl-hidden');
tid(privacy, 'bl-privacy');
panel.append(
  head,
  greeting,
  privacy,
  callBlock(origin, t, el),
  banner,
  list,
  typing,
  prechat,
  leave,
  leaveDone,
  composer,
  csat,
);
root.append(launcher, panel);
document.body.append(host);

const show = (e: HTMLElement, on: boolean) => e.classList.toggle('bl-hidden', !on);

/** Today's look from the appliance: a page embedded long ago still shows the current greeting. */
function applyLook(look: WidgetLook): void {
  const g = look.greeting.trim().slice(0, 300);
  greeting.textContent = g;
  show(greeting, g !== '');
  if (/^#[0-9a-fA-F]{6}$/.test(look.colour)) host.style.setProperty('--bl-accent', look.colour);
  const p = (look.privacy ?? '').trim().slice(0, 1000);
  privacy.textContent = p;
  show(privacy, p !== '');
}
let pendingFile: string | undefined;

function render(m: WidgetMessage): void {
  if (leaveCid !== undefined && m.cid === leaveCid) {
    leaveCid = undefined;
    show(leave, false);
    show(leaveDone, true);
  }
  const li = el('li', `bl-msg bl-${m.author}`, m.text);
  tid(li, `bl-msg-${m.author}`);
  for (const f of m.files) li.append(el('span', 'bl-fileref', `📎 ${f.name}`));
  list.append(li);
  list.scrollTop = list.scrollHeight;
  if (m.author !== 'me') show(typing, false);
}

const session = new WidgetSession({
  url: `${origin.replace(/^http/, 'ws')}/widget/ws`,
  token,
  connect: (u) => new WebSocket(u) as unknown as SocketLike,
  onMessage: render,
  onWelcome: (w) => {
    if (w.look) applyLook(w.look);
    show(banner, !w.open);
    banner.textContent = w.open ? '' : t.offline;
    if (w.contactState === 'closed') show(csat, true);
    // A chat an agent is already handling carries on; anyone else gets the leave-a-message form.
    const live = w.contactState === 'offered' || w.contactState === 'active' || w.contactState === 'wrap_up';
    if (!w.open && !live && leaveDone.classList.contains('bl-hidden')) {
      show(prechat, false);
      show(composer, false);
      show(leave, true);
    }
  },
  onState: (s) => show(csat, s === 'closed' || s === 'wrap_up'),
  onTyping: (on) => show(typing, on),
  onConnection: (up) => {
    if (!up) {
      show(banner, true);
      banner.textContent = t.reconnecting;
    } else if (banner.textContent === t.reconnecting) show(banner, false);
  },
});

launcher.onclick = () => {
  panel.classList.toggle('bl-hidden');
  session.start();
};
prechat.onsubmit = (e) => {
  e.preventDefault();
  const form: { name?: string; phone?: string; email?: string } = {};
  if (fName.value) form.name = fName.value;
  if (fPhone.value) form.phone = fPhone.value;
  if (fEmail.value) form.email = fEmail.value;
  session.prechat(form);
  show(prechat, false);
  show(composer, true);
};
leave.onsubmit = (e) => {
  e.preventDefault();
  const text = lText.value.trim();
  const form: LeaveForm = {};
  if (lName.value.trim()) form.name = lName.value.trim();
  if (lPhone.value.trim()) form.phone = lPhone.value.trim();
  if (lEmail.value.trim()) form.email = lEmail.value.trim();
  show(lError, !form.phone && !form.email);
  if ((!form.phone && !form.email) || !text) return;
  leaveBtn.disabled = true;
  leaveCid = session.leave(form, text);
};
file.onchange = async () => {
  const f = file.files?.[0];
  if (!f) return;
  const r = await fetch(`${origin}/widget/upload`, {
    method: 'POST',
    headers: {
      'content-type': f.type,
      'x-branchline-visitor': token,
      'x-file-name': encodeURIComponent(f.name),
    },
    body: f,
  });
  if (r.ok) pendingFile = ((await r.json()) as { id: string }).id;
};
let typingOn = false;
input.oninput = () => {
  if (!typingOn) session.typing(true);
  typingOn = true;
};
composer.onsubmit = (e) => {
  e.preventDefault();
  const text = input.value.trim();
  if (!text && !pendingFile) return;
  session.send(text, pendingFile ? [pendingFile] : undefined);
  pendingFile = undefined;
  file.value = '';
  input.value = '';
  typingOn = false;
  session.typing(false);
};
