// The frame shared by the four apps: header (home, language, user, log out), the login form,
// role check, and error messages for API error codes.
import { h, clear, msg, field, formDialog } from './dom.js';
import { t, setLang, getLang, LANGS, applyDocument } from './i18n.js';
import { login, logout, restore, currentUser, changePassword } from './api.js';
import { checkCard, formatCard } from './damm.js';

// errorText maps an ApiError to a sentence for people (every documented code has a string).
export function errorText(e) {
  if (!e) return '';
  if (e.network) return t('err.network');
  const key = 'err.' + e.code;
  const s = t(key, { attempts: e.details?.attempts_left ?? '?', last: e.details?.last_cycle ?? '?', message: e.message || '' });
  if (s !== key) return s;
  if (e.status === 401) return t('err.unauthorized');
  if (e.status === 403) return t('err.forbidden');
  if (e.status >= 500) return t('err.server');
  return e.message || t('err.unknown');
}

// startApp({titleKey, roles, render, optionalLogin}) builds the page. render(main, user) draws the
// app and is called again after a language switch, so apps keep their state outside the DOM.
export async function startApp({ titleKey, roles, render, publicApp = false }) {
  applyDocument();
  const app = document.getElementById('app');
  const userBox = h('span', { class: 'user' });
  const langSel = h('select', { id: 'lang', 'aria-label': 'Language / اللغة' },
    LANGS.map(([v, name]) => h('option', { value: v, text: name, selected: v === getLang() })));
  langSel.addEventListener('change', () => setLang(langSel.value));
  const title = h('span', { class: 'app-title' });
  const header = h('header', { class: 'bar' },
    h('div', { class: 'row' }, h('a', { href: '/', class: 'brand', text: 'aidledger' }), title),
    h('div', { class: 'tools' }, userBox, langSel));
  const main = h('main', { id: 'main', tabindex: '-1' });
  clear(app, header, main);

  const drawHeader = () => {
    title.textContent = '· ' + t(titleKey);
    const u = currentUser();
    clear(userBox);
    if (u) {
      const done = h('span', { class: 'muted', role: 'status', id: 'password-changed' });
      userBox.append(h('span', { class: 'who', text: u.email + ' (' + t('role.' + u.role) + ')' }), ' ', done,
        h('button', { type: 'button', class: 'secondary', id: 'change-password', text: t('account.password'), on: { click: async () => {
          if (await passwordDialog()) done.textContent = t('account.changed');
        } } }), ' ',
        h('button', { type: 'button', id: 'logout', text: t('logout'), on: { click: async () => { await logout(); location.reload(); } } }));
    }
  };

  const draw = async () => {
    drawHeader();
    const user = currentUser();
    if (publicApp) return render(main, user, showLogin);
    if (!user) return showLogin();
    if (!roles.includes(user.role)) {
      return clear(main, h('div', { class: 'msg error', role: 'alert', text: t('err.role_app', { role: t('role.' + user.role) }) }));
    }
    return render(main, user);
  };

  // showLogin draws the login form (for public apps: on request, e.g. donors on /transparency).
  function showLogin(onDone, notice) {
    const email = h('input', { type: 'email', id: 'email', autocomplete: 'username', required: true });
    const pw = h('input', { type: 'password', id: 'password', autocomplete: 'current-password', required: true });
    const out = h('div', { class: 'msg', 'aria-live': 'assertive' });
    const btn = h('button', { type: 'submit', class: 'big', id: 'login-submit', text: t('login.submit') });
    const form = h('form', { class: 'card', id: 'login-form', novalidate: true },
      h('h1', { text: t('login.title') }), field(t('login.email'), email), field(t('login.password'), pw), out, btn);
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      if (!email.value || !pw.value) return msg(out, 'error', t('login.missing'));
      btn.disabled = true;
      msg(out, '', t('login.checking'));
      // The server answers wrong passwords more and more slowly: say why the wait is long.
      const slow = setTimeout(() => msg(out, '', t('login.slowed')), 2000);
      try {
        await login(email.value.trim(), pw.value);
        pw.value = '';
        if (onDone) { drawHeader(); onDone(); } else await draw();
      } catch (e) {
        msg(out, 'error', errorText(e));
      } finally { clearTimeout(slow); btn.disabled = false; }
    });
    clear(main, form);
    if (notice) msg(out, 'warn', notice);
    email.focus();
  }

  // An app left open when its session ends asks for a login in place; a public app just goes on
  // without one.
  document.addEventListener('sessionended', () => {
    drawHeader();
    if (!publicApp) showLogin(undefined, t('err.unauthorized'));
  });

  keepForOffline();
  drawHeader();
  await resume(main, drawHeader);
  document.addEventListener('langchange', draw);
  await draw();
}

// checkNewPassword checks a new password typed twice ({next, again}) as the server will, and
// throws the field error to show.
export function checkNewPassword(v) {
  if (v.next.length < 10) throw { field: 'next', code: 'password_short' };
  if (v.next !== v.again) throw { field: 'again', code: 'password_mismatch' };
}

// passwordDialog lets the logged-in user change their password; true once it is changed.
async function passwordDialog() {
  const pw = (id, autocomplete) => h('input', { type: 'password', id, autocomplete, required: true });
  const r = await formDialog({
    title: t('account.password'), ok: t('account.save'), cancel: t('cancel'),
    fields: [{ name: 'current', label: t('account.current'), input: pw('password-current', 'current-password') },
      { name: 'next', label: t('account.new'), input: pw('password-new', 'new-password'), hint: t('account.hint') },
      { name: 'again', label: t('account.repeat'), input: pw('password-again', 'new-password') }],
    errorText,
    submit: async (v) => {
      if (!v.current) throw { field: 'current', code: 'required' };
      checkNewPassword(v);
      try { await changePassword(v.current, v.next); } catch (e) {
        if (e.field === 'current_password' && e.code === 'invalid_field') throw { field: 'current', code: 'wrong_current_password' };
        if (e.field === 'new_password') e.field = 'next';
        throw e;
      }
      return true;
    },
  });
  return r === true;
}

// keepForOffline registers the service worker (/sw.js) that keeps the apps' files on the phone,
// so a tab the browser dropped can reopen without a connection. Browsers offer it only in a
// secure context (HTTPS, or localhost); elsewhere the apps work as before, online only.
function keepForOffline() {
  if (!('serviceWorker' in navigator)) return;
  navigator.serviceWorker.register('/sw.js').catch(() => { /* no offline copy; nothing else changes */ });
}

// resume restores the tab's session. When the server does not answer (the page came from the
// phone's copy, or the network dropped) it says so and tries again when the browser is back
// online, on "Try now" and every 15 s, rather than showing a login that cannot work offline.
async function resume(main, drawHeader) {
  for (;;) {
    try {
      await restore();
      return;
    } catch (e) {
      if (!e.network) return;
    }
    await new Promise((done) => {
      const render = () => {
        drawHeader();
        clear(main, h('div', { class: 'card', id: 'offline' },
          h('div', { class: 'msg warn', role: 'status', text: t('offline.waiting') }),
          h('button', { type: 'button', class: 'big', id: 'offline-retry', text: t('offline.retry'), on: { click: again } })));
      };
      const again = () => {
        removeEventListener('online', again);
        document.removeEventListener('langchange', render);
        clearTimeout(timer);
        done();
      };
      const timer = setTimeout(again, 15000);
      addEventListener('online', again);
      document.addEventListener('langchange', render);
      render();
    });
  }
}

export function statusBadge(status) {
  return h('span', { class: 'badge ' + (status || ''), text: t('status.' + status) });
}

// cardField is the card number as typed at a shop or on the balance page: grouped as printed
// while typing (the caret kept at the end), a wrong check digit or too many digits said on the
// field. onCheck(c) hears each checkCard result ({state, digits}); check() runs it on the value
// as it is (a number typed before going back).
export function cardField(value, onCheck) {
  const input = h('input', { id: 'card-input', class: 'cardno', inputmode: 'numeric', autocomplete: 'off', spellcheck: 'false', maxlength: '16', value: formatCard(value), placeholder: '0000-0000-000' });
  const f = field(t('vendor.card_number'), input, t('vendor.card_hint'));
  const check = () => {
    const c = checkCard(input.value);
    const atEnd = input.selectionStart === input.value.length;
    input.value = formatCard(input.value);
    if (atEnd) input.setSelectionRange(input.value.length, input.value.length);
    f.setError(c.state === 'bad' ? t('card.bad') : c.state === 'long' ? t('card.long') : '');
    onCheck(c);
  };
  input.addEventListener('input', check);
  return { field: f, input, check };
}

// txHash shows a transaction hash as evidence: monospace, selectable, with a copy button.
export function txHash(hash) {
  if (!hash) return h('span', { class: 'muted', text: t('tx.none') });
  const code = h('code', { class: 'mono tx', text: hash, title: t('tx.hash') });
  const copy = h('button', { type: 'button', class: 'secondary noprint', text: t('copy'), 'aria-label': t('copy') + ' ' + t('tx.hash'),
    on: { click: () => navigator.clipboard?.writeText(hash).then(() => { copy.textContent = t('copied'); }) } });
  return h('span', { class: 'row' }, code, copy);
}

// tabs(defs, container): defs [{id, label, draw(panel)}]; keyboard: arrows move between tabs.
export function tabs(defs, container, selected) {
  const nav = h('nav', { class: 'tabs', role: 'tablist' });
  const panel = h('section', { role: 'tabpanel', tabindex: '-1', id: 'panel' });
  const buttons = defs.map((d) => h('button', { type: 'button', role: 'tab', id: 'tab-' + d.id, text: d.label,
    on: { click: () => select(d.id), keydown: (ev) => {
      const i = defs.findIndex((x) => x.id === d.id);
      const dir = (ev.key === 'ArrowRight') !== (document.dir === 'rtl') ? 1 : -1;
      if (ev.key === 'ArrowRight' || ev.key === 'ArrowLeft') { const n = defs[(i + dir + defs.length) % defs.length]; select(n.id); document.getElementById('tab-' + n.id).focus(); }
    } } }));
  nav.append(...buttons);
  function select(id) {
    defs.forEach((d, i) => { buttons[i].setAttribute('aria-selected', String(d.id === id)); buttons[i].tabIndex = d.id === id ? 0 : -1; });
    panel.setAttribute('aria-labelledby', 'tab-' + id);
    clear(panel);
    defs.find((d) => d.id === id).draw(panel);
    tabs.current = id;
  }
  container.append(nav, panel);
  select(selected && defs.some((d) => d.id === selected) ? selected : defs[0].id);
  return { select };
}
