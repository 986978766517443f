// /balance: a card's holder checks what is left on the card and what each shop charged, with the
// card number and PIN, from any phone and without an account. The PIN is sent once and kept
// nowhere; leaving the page (or "Done") clears what was shown.
import { h, clear, msg, field } from './dom.js';
import { t, fmtMoney, fmtDate, fmtNumber, currencyDecimals, latinDigits } from './i18n.js';
import { api } from './api.js';
import { startApp, errorText, statusBadge, cardField } from './shell.js';
import { checkCard, formatCard } from './damm.js';

const S = { card: '', view: null };
const PAGE = 10; // purchases shown at a time
let main;

function form() {
  const { field: cf, input } = cardField(S.card, (c) => { S.card = c.digits; });
  const pin = h('input', { id: 'pin-input', type: 'password', inputmode: 'numeric', autocomplete: 'off', maxlength: '8' });
  const pf = field(t('balance.pin'), pin, t('balance.pin_hint'));
  const out = h('div', { class: 'msg', id: 'balance-msg', 'aria-live': 'assertive' });
  const go = h('button', { class: 'big', type: 'submit', id: 'balance-check', text: t('balance.check') });
  const f = h('form', { novalidate: true, id: 'balance-form' }, cf, pf, out, go);
  f.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (checkCard(input.value).state !== 'ok') return cf.setError(t('card.bad'));
    const typed = latinDigits(pin.value);
    if (!/^\d{4,8}$/.test(typed)) return pf.setError(t('vendor.pin_format'));
    go.disabled = true;
    msg(out, '', '');
    try {
      S.view = await api('/api/v1/holder/balance', { method: 'POST', auth: false, body: { card_number: S.card, pin: typed } });
      draw();
    } catch (e) {
      msg(out, 'error', errorText(e));
    } finally {
      pin.value = '';
      go.disabled = false;
    }
  });
  main.append(h('h1', { text: t('balance.title') }), h('p', { text: t('balance.intro') }), f);
}

function result(v) {
  const programs = new Map(v.balances.map((b) => [b.id, b]));
  const money = (minor, id) => { const p = programs.get(id); return fmtMoney(minor, p?.currency, currencyDecimals(p?.currency, p?.decimals)); };
  main.append(h('h1', { text: t('balance.title') }), h('p', { class: 'cardno', text: formatCard(S.card) }));
  if (v.status !== 'active') main.append(h('div', { class: 'msg warn', role: 'alert', id: 'balance-suspended', text: t('balance.suspended') }));
  main.append(h('div', { class: 'table-wrap' }, h('table', { id: 'balances' },
    h('thead', {}, h('tr', {}, [t('balance.program'), t('balance.available')].map((c) => h('th', { scope: 'col', text: c })))),
    h('tbody', {}, v.balances.map((b) => h('tr', { 'data-program': b.id }, h('td', { text: b.name }),
      h('td', { class: 'available num', 'data-minor': String(b.available), text: money(b.available, b.id) })))))));
  main.append(h('h2', { text: t('balance.purchases') }));
  if (!v.purchases.length) {
    main.append(h('p', { class: 'muted', id: 'no-purchases', text: t('balance.no_purchases') }));
  } else {
    // A list, not a table: it reads on a narrow phone. The transaction is shortened; its whole
    // hash is in the title, and on the receipt the shop showed. Ten at a time: the answer holds
    // the latest fifty, so "older" needs no second request (and no PIN kept to send it).
    const item = (p) => h('li', { 'data-status': p.status },
      h('p', {}, h('strong', { class: 'num', text: money(p.amount, p.program_id) }), ' · ', p.shop || '—', ' ',
        p.status === 'confirmed' ? '' : statusBadge(p.status)),
      p.refunded ? h('p', { class: 'refunded', text: t('balance.refunded', { amount: money(p.refunded, p.program_id) }) }) : '',
      h('p', { class: 'muted' }, fmtDate(p.at), p.tx_hash ? ' · ' : '',
        p.tx_hash ? h('code', { class: 'mono tx', title: p.tx_hash, text: p.tx_hash.slice(0, 10) + '…' }) : ''));
    const list = h('ul', { id: 'purchases', class: 'purchases' });
    const more = h('button', { type: 'button', class: 'secondary', id: 'purchases-more', text: t('balance.older') });
    const rest = h('p', { class: 'muted', id: 'purchases-rest' });
    let shown = 0;
    const showMore = () => {
      list.append(...v.purchases.slice(shown, shown + PAGE).map(item));
      shown = Math.min(shown + PAGE, v.purchases.length);
      more.hidden = shown >= v.purchases.length;
      const total = v.purchases_total || 0;
      rest.hidden = !more.hidden || total <= shown;
      rest.textContent = rest.hidden ? '' : t('balance.older_elsewhere', { shown: fmtNumber(shown), total: fmtNumber(total) });
    };
    more.addEventListener('click', showMore);
    showMore();
    main.append(list, more, rest);
    main.append(h('p', { class: 'muted', text: t('balance.wrong_charge') }));
  }
  main.append(h('button', { type: 'button', class: 'big secondary', id: 'balance-done', text: t('balance.done'), on: { click: () => { S.view = null; S.card = ''; draw(); } } }));
}

function draw() {
  clear(main);
  main.className = 'narrow';
  if (S.view) result(S.view); else form();
}

// Nothing shown stays when the page is left: the browser may keep the page as it is and show it
// again on "back", so the form is drawn before it goes.
window.addEventListener('pagehide', () => { S.view = null; S.card = ''; if (main) draw(); });

startApp({ titleKey: 'app.balance', publicApp: true, render: (m) => { main = m; draw(); } });
