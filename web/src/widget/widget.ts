// The embeddable widget: one script tag, a shadow root, styles from widget.css (no inline styles).
import { callBlock } from './call.ts';
import { textFor } from './i18n.ts';
import {
  type LeaveForm,
  randomId,
  type SocketLike,
  type WidgetFileLimits,
  type WidgetLook,
  type WidgetMessage,
  type WidgetQueueInfo,
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
const attr = (e: Element, a: Record<string, string>) => {
  for (const [k, v] of Object.entries(a)) e.setAttribute(k, v);
};
const launcher = el('button', 'bl-launcher', t.open);
tid(launcher, 'bl-launcher');
attr(launcher, { type: 'button', 'aria-expanded': 'false', 'aria-controls': 'bl-panel' });
const panel = el('section', 'bl-panel bl-hidden');
tid(panel, 'bl-panel');
attr(panel, { id: 'bl-panel', role: 'dialog', 'aria-labelledby': 'bl-title' });
const head = el('header', 'bl-head');
const title = el('h2', 'bl-title', t.title);
title.id = 'bl-title';
const closeBtn = el('button', 'bl-x', '×');
attr(closeBtn, { type: 'button', 'aria-label': t.close });
tid(closeBtn, 'bl-close');
head.append(title, closeBtn);
const banner = el('p', 'bl-banner bl-hidden');
tid(banner, 'bl-banner');
// "Connecting you": the chat's place and estimated wait, live from routing.
const wait = el('p', 'bl-wait bl-hidden');
tid(wait, 'bl-wait');
wait.setAttribute('role', 'status');
const list = el('ol', 'bl-list');
tid(list, 'bl-list');
attr(list, { 'aria-live': 'polite', 'aria-relevant': 'additions', 'aria-label': t.messages, tabindex: '0' });
const typing = el('p', 'bl-typing bl-hidden', t.typing);
tid(typing, 'bl-typing');
typing.setAttribute('role', 'status');

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
const inputLabel = el('label', 'bl-sr', t.yourMessage);
inputLabel.htmlFor = 'bl-input';
const input = el('textarea', 'bl-text');
input.id = 'bl-input';
input.placeholder = t.placeholder;
tid(input, 'bl-input');
// The picker is a styled button; the native input stays hidden and only holds the choice.
const file = el('input', 'bl-hidden');
file.type = 'file';
file.tabIndex = -1;
tid(file, 'bl-file');
const attach = el('button', 'bl-attach', t.attach);
attr(attach, { type: 'button', 'aria-label': t.attachFile, title: t.attachFile });
tid(attach, 'bl-attach');
const chip = el('p', 'bl-chip bl-hidden');
tid(chip, 'bl-file-chip');
const fileError = el('p', 'bl-error bl-hidden');
fileError.setAttribute('role', 'alert');
tid(fileError, 'bl-file-error');
const sendBtn = el('button', 'bl-btn', t.send);
tid(sendBtn, 'bl-send');
const row = el('div', 'bl-row');
row.append(attach, sendBtn);
composer.append(inputLabel, input, file, chip, fileError, row);

// End of chat: the rating (a labelled radio group), a new chat, the transcript.
const end = el('div', 'bl-end bl-hidden');
tid(end, 'bl-end');
const csat = el('form', 'bl-csat');
tid(csat, 'bl-csat');
const fs = el('fieldset', 'bl-fs');
fs.append(el('legend', 'bl-h', t.rate));
const scale = el('div', 'bl-scale');
scale.setAttribute('role', 'radiogroup');
t.ratings.forEach((name, i) => {
  const n = i + 1;
  const l = el('label', 'bl-rate');
  const r = el('input', 'bl-radio');
  attr(r, { type: 'radio', name: 'bl-rate', value: String(n) });
  tid(r, `bl-csat-${n}`);
  l.append(r, el('span', 'bl-num', String(n)), el('span', 'bl-sr', name));
  scale.append(l);
});
const ends = el('p', 'bl-ends');
ends.setAttribute('aria-hidden', 'true');
ends.append(el('span', '', t.ratings[0]), el('span', '', t.ratings[4]));
const rateBtn = el('button', 'bl-btn', t.rateSend);
tid(rateBtn, 'bl-csat-send');
fs.append(scale, ends);
csat.append(fs, rateBtn);
const thanks = el('p', 'bl-h bl-hidden', t.thanks);
thanks.setAttribute('role', 'status');
tid(thanks, 'bl-csat-thanks');
const newChat = el('button', 'bl-btn', t.newChat);
newChat.type = 'button';
tid(newChat, 'bl-new-chat');
const transcript = el('a', 'bl-link', t.transcript);
tid(transcript, 'bl-transcript');
end.append(el('p', 'bl-h', t.ended), csat, thanks, newChat, transcript);
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
  wait,
  list,
  typing,
  prechat,
  leave,
  leaveDone,
  composer,
  end,
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
let limits: WidgetFileLimits | undefined;
let rated = false;
let state = '';
const lines: string[] = [];

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
  // Newest in view on every message, whatever the customer had scrolled to.
  list.scrollTop = list.scrollHeight;
  if (m.author !== 'me') show(typing, false);
  const who = m.author === 'me' ? t.me : m.author === 'agent' ? t.agent : t.title;
  lines.push(`[${new Date(m.at).toLocaleString(lang)}] ${who}: ${m.text}`);
}

function showQueue(q: WidgetQueueInfo): void {
  if (state !== 'queued' && state !== 'offered') return;
  wait.dataset['position'] = String(q.position);
  wait.textContent = `${t.connecting} ${t.position(q.position)} ${t.wait(q.ewtSeconds)}`;
  show(wait, true);
}

function setState(s: string): void {
  state = s;
  const waiting = s === 'queued' || s === 'offered';
  const over = s === 'wrap_up' || s === 'closed' || s === 'abandoned';
  if (!leaveDone.classList.contains('bl-hidden') || !leave.classList.contains('bl-hidden')) return;
  if (waiting && wait.classList.contains('bl-hidden')) {
    wait.textContent = t.connecting;
    delete wait.dataset['position'];
    show(wait, true);
  }
  if (!waiting) show(wait, false);
  if (over) {
    // Focus in the text box that is about to vanish goes to the rating (or the new-chat button).
    const hadFocus = composer.contains(root.activeElement);
    show(composer, false);
    show(typing, false);
    show(csat, !rated);
    show(thanks, rated);
    const url = URL.createObjectURL(new Blob([`${lines.join('\n')}\n`], { type: 'text/plain' }));
    transcript.href = url;
    transcript.download = 'chat.txt';
    show(end, true);
    if (hadFocus) (rated ? newChat : scale.querySelector('input'))?.focus();
  }
  show(end, over);
}

let typingOff: ReturnType<typeof setTimeout> | undefined;
const session = new WidgetSession({
  url: `${origin.replace(/^http/, 'ws')}/widget/ws`,
  token,
  connect: (u) => new WebSocket(u) as unknown as SocketLike,
  onMessage: render,
  onWelcome: (w) => {
    if (w.look) applyLook(w.look);
    if (w.files) limits = w.files;
    rated = w.rated === true;
    show(banner, !w.open);
    banner.textContent = w.open ? '' : t.offline;
    const s = w.contactState ?? '';
    // A chat an agent is already handling carries on; anyone else gets the leave-a-message form.
    const live = s === 'offered' || s === 'active' || s === 'wrap_up';
    if (!w.open && !live && leaveDone.classList.contains('bl-hidden')) {
      show(prechat, false);
      show(composer, false);
      show(leave, true);
    } else if (live || s === 'queued') {
      show(prechat, false);
      show(composer, true);
    }
    // A chat that ended before this page opened: rate it if not yet rated, or start over from the form.
    if (s === 'closed' && prechat.classList.contains('bl-hidden') === false) {
      state = s;
      if (!rated) {
        show(end, true);
        show(newChat, false);
        show(transcript, false);
      }
    } else if (s) setState(s);
  },
  onQueue: showQueue,
  onState: setState,
  onTyping: (on) => {
    show(typing, on);
    clearTimeout(typingOff);
    // An agent who stops without saying so: the indicator does not stay forever.
    if (on) typingOff = setTimeout(() => show(typing, false), 15_000);
  },
  onConnection: (up) => {
    if (!up) {
      show(banner, true);
      banner.textContent = t.reconnecting;
    } else if (banner.textContent === t.reconnecting) show(banner, false);
  },
});

const firstField = () => [fName, lName, input, newChat].find((e) => e.offsetParent !== null) ?? closeBtn;
function setOpen(open: boolean): void {
  show(panel, open);
  launcher.setAttribute('aria-expanded', String(open));
  if (open) {
    session.start();
    firstField().focus();
  } else launcher.focus();
}
launcher.onclick = () => setOpen(panel.classList.contains('bl-hidden'));
closeBtn.onclick = () => setOpen(false);
panel.onkeydown = (e) => {
  if (e.key === 'Escape') {
    e.preventDefault();
    setOpen(false);
  }
};
prechat.onsubmit = (e) => {
  e.preventDefault();
  const form: { name?: string; phone?: string; email?: string } = {};
  if (fName.value) form.name = fName.value;
  if (fPhone.value) form.phone = fPhone.value;
  if (fEmail.value) form.email = fEmail.value;
  session.prechat(form);
  show(prechat, false);
  show(end, false);
  show(composer, true);
  input.focus();
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
const EXT: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  pdf: 'application/pdf',
  amr: 'audio/amr',
  txt: 'text/plain',
};
const fileFail = (text: string) => {
  fileError.textContent = text;
  show(fileError, text !== '');
};
const clearFile = () => {
  pendingFile = undefined;
  file.value = '';
  show(chip, false);
};
attach.onclick = () => file.click();
file.onchange = async () => {
  const f = file.files?.[0];
  clearFile();
  fileFail('');
  if (!f) return;
  // The server's own limits (from the welcome), checked before a byte is sent.
  const mime = f.type || EXT[f.name.split('.').pop()?.toLowerCase() ?? ''] || '';
  if (limits && f.size > limits.maxBytes)
    return fileFail(t.fileTooBig(Math.floor(limits.maxBytes / 1048576)));
  if (limits && !limits.types.includes(mime)) return fileFail(t.fileType);
  const r = await fetch(`${origin}/widget/upload`, {
    method: 'POST',
    headers: {
      'content-type': mime,
      'x-branchline-visitor': token,
      'x-file-name': encodeURIComponent(f.name),
    },
    body: f,
  }).catch(() => undefined);
  if (!r?.ok)
    return fileFail(r?.status === 413 ? t.fileTooBig(10) : r?.status === 415 ? t.fileType : t.fileFailed);
  pendingFile = ((await r.json()) as { id: string }).id;
  const x = el('button', 'bl-x', '×');
  attr(x, { type: 'button', 'aria-label': `${t.remove} ${f.name}` });
  x.onclick = () => {
    clearFile();
    attach.focus();
  };
  chip.replaceChildren(`📎 ${f.name} `, x);
  show(chip, true);
};
let typingOn = false;
let typingIdle: ReturnType<typeof setTimeout> | undefined;
const stopTyping = () => {
  clearTimeout(typingIdle);
  if (typingOn) session.typing(false);
  typingOn = false;
};
input.oninput = () => {
  if (!typingOn) session.typing(true);
  typingOn = true;
  clearTimeout(typingIdle);
  typingIdle = setTimeout(stopTyping, 5000);
};
// Enter sends, Shift+Enter starts a new line.
input.onkeydown = (e) => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    composer.requestSubmit();
  }
};
csat.onsubmit = (e) => {
  e.preventDefault();
  const picked = csat.querySelector<HTMLInputElement>('input:checked');
  if (!picked) return;
  session.csat(Number(picked.value));
  rated = true;
  show(csat, false);
  show(thanks, true);
  newChat.focus();
};
newChat.onclick = () => {
  list.replaceChildren();
  lines.length = 0;
  state = '';
  csat.reset();
  show(end, false);
  show(wait, false);
  show(composer, true);
  rated = false;
  input.focus();
};
composer.onsubmit = (e) => {
  e.preventDefault();
  const text = input.value.trim();
  if (!text && !pendingFile) return;
  session.send(text, pendingFile ? [pendingFile] : undefined);
  clearFile();
  fileFail('');
  input.value = '';
  stopTyping();
};
