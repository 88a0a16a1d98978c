/**
 * The console's only script, served from /hq-console.js (CSP `script-src 'self'`,
 * nothing inline). Forms carry `data-hq-action`/`data-hq-method`; the script
 * sends them as JSON with the session's CSRF token, so no cross-site form can.
 * A form with `data-hq-confirm` is sent only after the operator confirms; one
 * with `data-hq-show="field"` stays on the page and shows that answer field
 * (a one-time password, shown once).
 */
export const HQ_CONSOLE_JS = `'use strict';
(function () {
  var csrf;
  var TEXT = {
    HQ_UNAUTHENTICATED: 'Wrong username or password',
    HQ_LOCKED: 'Too many failed attempts; try again later',
    HQ_THROTTLED: 'Too many failed sign-ins from this address; try again later',
    HQ_MFA_REQUIRED: 'Enter the code from your authenticator app',
    HQ_MFA_INVALID: 'Wrong or already used authenticator code',
    HQ_WEAK_PASSWORD: 'Password too weak: at least 12 characters, not the username',
    HQ_OPERATOR_EXISTS: 'That operator exists already',
    HQ_BAD_REQUEST: 'Check the fields and try again',
    HQ_NOT_FOUND: 'Not found',
    HQ_FORBIDDEN: 'You do not have the right to do this',
    HQ_FIELD_NOT_SEALED: 'That field is not sealed'
  };
  function say(code) { return TEXT[code] ? TEXT[code] + ' (' + code + ')' : code; }
  function token(form) {
    if (form.hasAttribute('data-hq-public') || csrf) return Promise.resolve(csrf || '');
    return fetch('/api/session', { credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.json() : {}; })
      .then(function (m) { csrf = m.csrfToken; return csrf || ''; });
  }
  function showBundle(j) {
    var box = document.querySelector('[data-testid="hq-bundle"]');
    if (!box) return;
    box.hidden = false;
    box.querySelector('[data-testid="hq-bundle-title"]').textContent =
      'Join bundle for branch ' + j.branch + ' (' + j.name + '), residency policy v' + j.policyVersion +
      (j.rotated ? '. Earlier credentials of this branch no longer work.' : '.');
    box.querySelector('[data-testid="hq-bundle-ca"]').textContent = j.caFingerprint
      ? 'HQ CA fingerprint (SHA-256): ' + j.caFingerprint
      : 'HQ serves plain HTTP here: no CA certificate in the bundle.';
    box.querySelector('[data-testid="hq-bundle-text"]').value = j.text;
    var qr = box.querySelector('[data-testid="hq-bundle-qr"]');
    qr.textContent = '';
    if (j.qrSvg) {
      var svg = new DOMParser().parseFromString(j.qrSvg, 'image/svg+xml').documentElement;
      svg.setAttribute('width', '320');
      svg.setAttribute('height', '320');
      qr.appendChild(document.importNode(svg, true));
    } else qr.textContent = 'Too long for one QR code: copy or download the text.';
    var a = box.querySelector('[data-testid="hq-bundle-download"]');
    a.href = URL.createObjectURL(new Blob([j.text + '\\n'], { type: 'text/plain' }));
    a.download = 'branchline-join-' + j.branch + '.txt';
  }
  function body(form) {
    var o = {};
    var nums = (form.getAttribute('data-hq-numbers') || '').split(',');
    var lists = (form.getAttribute('data-hq-lists') || '').split(',');
    new FormData(form).forEach(function (v, k) {
      v = String(v);
      if (lists.indexOf(k) >= 0) o[k] = v.split(',').map(function (s) { return s.trim(); }).filter(Boolean);
      else if (v === '') return;
      else if (nums.indexOf(k) >= 0) o[k] = Number(v);
      else o[k] = v;
    });
    return o;
  }
  document.addEventListener('submit', function (e) {
    var form = e.target;
    var action = form.getAttribute('data-hq-action');
    if (!action) return;
    e.preventDefault();
    var ask = form.getAttribute('data-hq-confirm');
    if (ask && !window.confirm(ask)) return;
    var out = form.querySelector('[data-hq-out]');
    var method = form.getAttribute('data-hq-method') || 'POST';
    token(form).then(function (t) {
      return fetch(action, {
        method: method,
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', 'x-csrf-token': t },
        body: method === 'DELETE' ? undefined : JSON.stringify(body(form)),
      });
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (j) {
        if (!r.ok) { if (out) out.textContent = say((j.error && j.error.code) || String(r.status)); return; }
        if (j.csrfToken) csrf = j.csrfToken;
        if (form.getAttribute('data-hq-render') === 'reveal') {
          // Shown once in the page; the answer is no-store and nothing keeps it.
          if (out) out.textContent = typeof j.value === 'string' ? j.value : JSON.stringify(j.value);
          form.reset();
          return;
        }
        if (form.getAttribute('data-hq-render') === 'bundle') {
          if (out) out.textContent = '';
          showBundle(j);
          form.reset();
          return;
        }
        var show = form.getAttribute('data-hq-show');
        if (show) {
          if (out) out.textContent = 'Added ' + j.username + '. One-time password (shown once): ' + j[show];
          form.reset();
          return;
        }
        if (j.mustChangePassword) {
          var change = document.querySelector('[data-testid="hq-change-password"]');
          if (change) change.hidden = false;
          form.hidden = true;
          return;
        }
        location.assign(form.getAttribute('data-hq-next') || location.pathname);
      });
    }).catch(function (err) { if (out) out.textContent = String(err); });
  });
})();
`;
