// /vendor: the shop's phone. Card (camera or typed, check digit validated as typed) → the
// beneficiary types the PIN → program, category, amount → confirm → receipt with the tx hash.
//
// Money safety: a redemption gets one Idempotency-Key when the vendor confirms; until the server
// answers, the key and the body WITHOUT the PIN are kept in memory and sessionStorage, and every
// retry (automatic, "retry now", coming back online, or after a reload once the PIN is typed
// again) re-sends the same key with the same body, which the server answers with the original
// result — never a second payment. A 202 "pending" result is polled until confirmed.
import { h, clear, msg, field, confirmDialog, download } from './dom.js';
import { t, fmtMoney, fmtDate, fmtTime, parseMajor, currencyDecimals, fmtNumber, latinDigits } from './i18n.js';
import { api, listAll, fetchText, newKey } from './api.js';
import { startApp, errorText, txHash, statusBadge, cardField } from './shell.js';
import { checkCard, formatCard } from './damm.js';
import { refundSale, refundable, refundedNote } from './refund.js';

// The vocabulary, in the order the buttons take; a shop is offered only those it is registered for.
const CATEGORIES = ['food', 'hygiene', 'household', 'medicine', 'clothing', 'shelter', 'education', 'fuel', 'other'];
const PENDING_KEY = 'aidledger.pendingRedemption';
const RETRY_DELAYS = [1000, 2000, 4000, 8000, 15000, 30000];

// S is the whole screen state; draw() renders it (again after a language switch).
const S = { step: 'home', pin: null, lookup: null, card: '', balances: [], program: null, category: null, amount: null,
  categories: [], pending: loadPending(), result: null, error: null, retries: 0, timer: null };
let main, user, stopCamera = null;
const programInfo = new Map(); // id → {name, currency, decimals}
let shopCategories = null; // a promise of what this shop may sell, read once (again after a refusal)

// categoriesOfShop reads the categories an admin registered this shop for, from its own vendor
// record: the server refuses a sale in any other (category_not_allowed), so none is offered.
function categoriesOfShop() {
  const rank = (c) => (CATEGORIES.includes(c) ? CATEGORIES.indexOf(c) : CATEGORIES.length);
  shopCategories ??= api('/api/v1/vendors/' + encodeURIComponent(user.vendor_id || ''))
    .then((v) => [...(v.categories || [])].sort((a, b) => rank(a) - rank(b)))
    .catch((e) => { shopCategories = null; throw e; });
  return shopCategories;
}

function loadPending() { try { return JSON.parse(sessionStorage.getItem(PENDING_KEY)); } catch { return null; } }
function savePending() { try { sessionStorage.setItem(PENDING_KEY, JSON.stringify(S.pending)); } catch { /* memory only */ } }
function clearPending() { S.pending = null; try { sessionStorage.removeItem(PENDING_KEY); } catch { /* ignore */ } }

// moneyOf is a program's currency and its decimals, for amounts typed and shown.
function moneyOf(programId, fallback = {}) {
  const p = programInfo.get(programId) || fallback;
  return { currency: p.currency || '', decimals: currencyDecimals(p.currency, p.decimals) };
}

function money(minor, programId, fallback = {}) {
  const p = programInfo.get(programId) || fallback;
  if (!p.currency) return fmtNumber(minor);
  return fmtMoney(minor, p.currency, p.decimals);
}

// loadPrograms fills programInfo for lists that carry only program ids (today's sales, statement).
async function loadPrograms() {
  try { for (const p of await listAll('/api/v1/programs', 'programs')) programInfo.set(p.id, { name: p.name, currency: p.currency, decimals: currencyDecimals(p.currency, p.decimals) }); } catch { /* amounts fall back to plain numbers */ }
}

// A step that focuses its own field (the card number, the PIN) keeps it, so a phone's keyboard
// opens; the others focus the page, so a screen reader starts at the new step.
function go(step) {
  flowHistory(step);
  S.step = step; draw();
  const m = document.getElementById('main');
  if (m && !m.contains(document.activeElement)) m.focus();
}

// Android's back gesture (and the browser's Back) left the app in the middle of a sale. Leaving
// the home screen adds one history entry, so Back returns to the home screen instead, dropping a
// sale not yet sent, as the app's own Back buttons do; a sale being sent stays on screen (its
// outcome is not known yet). Returning home in the app takes the entry back off.
let inFlow = false, leaving = false;
function flowHistory(step) {
  if (step !== 'home' && !inFlow) { history.pushState({ aidledger: 'sale' }, ''); inFlow = true; }
  if (step === 'home' && inFlow) { inFlow = false; leaving = true; history.back(); }
}
addEventListener('popstate', () => {
  if (leaving) { leaving = false; return; }
  if (!inFlow) return;
  if (S.step === 'sending') { history.pushState({ aidledger: 'sale' }, ''); return; }
  inFlow = false;
  S.step = 'home'; draw();
});

function draw() {
  if (stopCamera && S.step !== 'scan') { stopCamera(); stopCamera = null; }
  const screens = { home, card: cardStep, scan: scanStep, pin: pinStep, sale: saleStep, confirm: confirmStep,
    sending: sendingStep, receipt: receiptStep, error: errorStep, sales: salesStep, statement: statementStep, resume: resumeStep };
  clear(main);
  main.className = 'narrow';
  (screens[S.step] || home)();
}

function home() {
  main.append(h('h1', { text: t('vendor.home') }));
  if (S.pending) {
    const p = S.pending;
    main.append(h('div', { class: 'card', id: 'pending-panel' },
      h('div', { class: 'msg warn', role: 'status', text: t('vendor.pending_unanswered', { amount: money(p.body.amount, p.body.program_id, p), card: '…' + p.body.card_number.slice(-3) }) }),
      h('button', { class: 'big', type: 'button', text: t('vendor.resume'), on: { click: () => go('resume') } }),
      h('button', { class: 'big secondary', type: 'button', text: t('vendor.discard'), on: { click: async () => {
        if (await confirmDialog(t('vendor.discard_confirm'), t('vendor.discard'), t('cancel'))) { clearPending(); draw(); }
      } } })));
  }
  main.append(
    h('button', { class: 'big', id: 'new-sale', type: 'button', text: t('vendor.new_sale'), disabled: !!S.pending, on: { click: () => { reset(); go('card'); } } }),
    h('button', { class: 'big secondary', id: 'today', type: 'button', text: t('vendor.today'), on: { click: () => go('sales') } }),
    h('button', { class: 'big secondary', id: 'statement', type: 'button', text: t('vendor.statement'), on: { click: () => go('statement') } }));
}

// A new sale starts empty: an amount left from the last customer could be confirmed unread.
function reset() { Object.assign(S, { pin: null, lookup: null, card: '', balances: [], program: null, category: null, amount: null, amountText: '', result: null, error: null, retries: 0 }); }

function back(step) { return h('button', { type: 'button', class: 'secondary', id: 'back', text: t('back'), on: { click: () => go(step) } }); }

function cardStep() {
  const ok = h('p', { class: 'field-ok', id: 'card-ok', 'aria-live': 'polite' });
  const out = h('div', { class: 'msg', id: 'card-msg' });
  const next = h('button', { class: 'big', type: 'submit', id: 'card-next', text: t('next'), disabled: true });
  const { field: f, input, check } = cardField(S.card, (c) => {
    S.card = c.digits;
    ok.textContent = c.state === 'ok' ? t('card.ok') : c.state === 'short' ? t('card.short', { n: 11 - c.digits.length }) : '';
    next.disabled = c.state !== 'ok';
  });
  const form = h('form', { novalidate: true }, f, ok, out, next);
  form.addEventListener('submit', async (ev) => { ev.preventDefault(); if (!next.disabled) await lookup(out, next); });
  main.append(h('h1', { text: t('vendor.card_title') }),
    h('button', { class: 'big secondary', id: 'scan', type: 'button', text: t('vendor.scan'), on: { click: () => go('scan') } }),
    h('p', { class: 'muted', text: t('vendor.or_type') }), form, back('home'));
  check();
  input.focus();
}

async function lookup(out, btn) {
  btn.disabled = true;
  msg(out, '', '');
  try {
    // The shop's categories come alongside the card, at no wait of their own.
    const [r, cats] = await Promise.all([api('/api/v1/cards/' + S.card), categoriesOfShop()]);
    S.lookup = r;
    S.categories = cats;
    if (!cats.includes(S.category)) S.category = cats.length === 1 ? cats[0] : null;
    for (const p of r.programs || []) programInfo.set(p.id, { name: p.name, currency: p.currency, decimals: currencyDecimals(p.currency, p.decimals) });
    if (r.status && r.status !== 'active') { msg(out, 'error', t('err.card_status', { status: t('status.' + r.status) })); return; }
    go('pin');
  } catch (e) {
    msg(out, 'error', e.status === 404 ? t('err.card_unknown') : e.status === 400 ? t('card.bad') : errorText(e));
  } finally { btn.disabled = false; }
}

function scanStep() {
  const video = h('video', { class: 'scanner', playsinline: true, muted: true, 'aria-label': t('vendor.camera') });
  const out = h('div', { class: 'msg warn', role: 'status', text: t('vendor.scan_hint') });
  main.append(h('h1', { text: t('vendor.scan') }), video, out, back('card'));
  startScanner(video, out).catch((e) => msg(out, 'error', t('vendor.camera_error') + ' (' + (e.name || e) + ')'));
}

// startScanner reads QR codes from the rear camera: the browser's BarcodeDetector when it has
// one (Chrome on Android), else the vendored jsQR on a small canvas a few times per second.
async function startScanner(video, out) {
  if (!navigator.mediaDevices?.getUserMedia) throw new Error(t('vendor.camera_unsupported'));
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
  let live = true;
  stopCamera = () => { live = false; stream.getTracks().forEach((tr) => tr.stop()); };
  video.srcObject = stream;
  await video.play();
  let detect;
  if ('BarcodeDetector' in window) {
    const d = new window.BarcodeDetector({ formats: ['qr_code'] });
    detect = async () => (await d.detect(video))[0]?.rawValue;
  } else {
    await loadScript('/static/vendor/jsqr/jsQR.js');
    const canvas = document.createElement('canvas');
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    detect = async () => {
      const w = 480, hgt = Math.round(480 * (video.videoHeight / video.videoWidth || 0.75));
      canvas.width = w; canvas.height = hgt;
      ctx.drawImage(video, 0, 0, w, hgt);
      return window.jsQR(ctx.getImageData(0, 0, w, hgt).data, w, hgt, { inversionAttempts: 'dontInvert' })?.data;
    };
  }
  while (live) {
    const text = await detect().catch(() => null);
    if (text) {
      const c = checkCard(text);
      if (c.state === 'ok') { S.card = c.digits; stopCamera(); stopCamera = null; go('card'); return; }
      msg(out, 'error', t('vendor.scan_not_card'));
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

function loadScript(src) {
  return new Promise((resolve, reject) => {
    if (document.querySelector(`script[src="${src}"]`)) return resolve();
    const s = h('script', { src });
    s.onload = resolve; s.onerror = reject;
    document.head.append(s);
  });
}

function pinInput() {
  return h('input', { id: 'pin', class: 'pin', type: 'password', inputmode: 'numeric', autocomplete: 'off', maxlength: '8', pattern: '[0-9]*' });
}

function pinStep() {
  const pin = pinInput();
  const f = field(t('vendor.pin'), pin, t('vendor.pin_hint'));
  const out = h('div', { class: 'msg', id: 'pin-msg' });
  if (S.error) { msg(out, 'error', errorText(S.error)); S.error = null; }
  const next = h('button', { class: 'big', type: 'submit', id: 'pin-next', text: t('next') });
  const form = h('form', { novalidate: true }, f, out, next);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const typed = latinDigits(pin.value);
    if (!/^\d{4,8}$/.test(typed)) return f.setError(t('vendor.pin_format'));
    next.disabled = true;
    try {
      // Checking the balance first verifies the PIN and shows what the beneficiary can spend.
      const r = await api(`/api/v1/cards/${S.card}/balance`, { method: 'POST', body: { pin: typed } });
      S.pin = typed;
      S.balances = normaliseBalances(r);
      for (const b of S.balances) if (!programInfo.has(b.id)) programInfo.set(b.id, b);
      if (S.balances.length === 1) S.program = S.balances[0].id;
      go('sale');
    } catch (e) {
      pin.value = '';
      msg(out, 'error', errorText(e));
      if (e.code === 'card_locked' || e.code === 'beneficiary_suspended') next.remove();
    } finally { next.disabled = false; }
  });
  main.append(h('h1', { text: t('vendor.pin_title') }),
    h('p', { class: 'cardno', text: formatCard(S.card) }),
    S.lookup?.display_name ? h('p', { text: t('vendor.holder', { name: S.lookup.display_name }) }) : null,
    h('div', { class: 'msg warn', role: 'status', text: t('vendor.hand_phone') }), form, back('card'));
  pin.focus();
}

// normaliseBalances accepts {balances:[…]} or {programs:[…]} with balance|available|amount.
function normaliseBalances(r) {
  const list = r.balances || r.programs || [];
  return list.map((b) => {
    const id = b.program_id ?? b.id;
    const known = programInfo.get(id) || {};
    const currency = b.currency || known.currency;
    return { id, name: b.name || b.program_name || known.name || id, currency,
      decimals: currencyDecimals(currency, b.decimals ?? known.decimals), balance: b.balance ?? b.available ?? b.amount ?? 0 };
  });
}

function saleStep() {
  if (!S.balances.length) {
    // Enrolled but given nothing yet: say so instead of asking for a program there is none of.
    main.append(h('h1', { text: t('vendor.sale_title') }), h('p', { class: 'cardno', text: formatCard(S.card) }),
      h('div', { class: 'msg warn', role: 'status', id: 'no-balance', text: t('vendor.no_balance') }), back('card'));
    return;
  }
  const out = h('div', { class: 'msg', id: 'sale-msg' });
  const progs = h('div', { class: 'choices', role: 'group', 'aria-label': t('vendor.program') });
  for (const b of S.balances) {
    progs.append(h('button', { type: 'button', 'aria-pressed': String(S.program === b.id), 'data-program': b.id,
      on: { click: () => { S.program = b.id; draw(); } } }, b.name, h('br'), money(b.balance, b.id)));
  }
  const cats = h('div', { class: 'choices', role: 'group', 'aria-label': t('vendor.category') });
  for (const c of S.categories) {
    cats.append(h('button', { type: 'button', 'aria-pressed': String(S.category === c), 'data-category': c, text: t('cat.' + c),
      on: { click: () => { S.category = c; for (const b of cats.children) b.setAttribute('aria-pressed', String(b.dataset.category === c)); } } }));
  }
  const p = programInfo.get(S.program);
  const amt = h('input', { id: 'amount', class: 'amount-big', inputmode: 'decimal', autocomplete: 'off', value: S.amountText || '' });
  // Choosing a program redraws the step: what was typed must survive it.
  amt.addEventListener('input', () => { S.amountText = amt.value; });
  const f = field(t('vendor.amount') + (p ? ' (' + p.currency + ')' : ''), amt);
  const next = h('button', { class: 'big', type: 'submit', id: 'sale-next', text: t('next') });
  const form = h('form', { novalidate: true }, f, out, next);
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    f.setError('');
    if (!S.program) return msg(out, 'error', t('vendor.choose_program'));
    if (!S.category) return msg(out, 'error', t('vendor.choose_category'));
    const info = programInfo.get(S.program);
    const v = parseMajor(amt.value, info.decimals);
    if (v === null) return f.setError(t('vendor.amount_invalid', { d: info.decimals }));
    const bal = S.balances.find((b) => b.id === S.program);
    if (bal && v > Number(bal.balance)) return f.setError(t('err.insufficient_balance'));
    S.amount = v; S.amountText = amt.value;
    go('confirm');
  });
  main.append(h('h1', { text: t('vendor.sale_title') }),
    h('h2', { text: t('vendor.program') }), progs,
    h('h2', { text: t('vendor.category') }), cats, form, back('card'));
}

function confirmStep() {
  const p = programInfo.get(S.program);
  main.append(h('h1', { text: t('vendor.confirm_title') }),
    h('div', { class: 'card' }, h('p', { class: 'amount-big', id: 'confirm-amount', text: money(S.amount, S.program) }),
      h('dl', { class: 'kv' }, h('dt', { text: t('vendor.card_number') }), h('dd', { class: 'cardno', text: formatCard(S.card) }),
        h('dt', { text: t('vendor.program') }), h('dd', { text: p?.name }),
        h('dt', { text: t('vendor.category') }), h('dd', { text: t('cat.' + S.category) }))),
    h('button', { class: 'big', type: 'button', id: 'confirm', text: t('vendor.charge'), on: { click: submit } }),
    back('sale'));
}

function submit() {
  if (!S.pending) {
    const p = programInfo.get(S.program);
    // Everything needed to resend the SAME request, minus the PIN (never stored).
    S.pending = { key: newKey(), at: new Date().toISOString(), currency: p.currency, decimals: p.decimals,
      body: { card_number: S.card, program_id: S.program, amount: S.amount, category: S.category } };
    savePending();
  }
  S.retries = 0;
  attempt();
}

async function attempt() {
  clearTimeout(S.timer);
  S.step = 'sending'; S.sendState = 'sending'; draw();
  try {
    const r = await api('/api/v1/redemptions', { method: 'POST', body: { ...S.pending.body, pin: S.pin },
      headers: { 'Idempotency-Key': S.pending.key }, timeout: 15000 });
    if (r.status === 'pending' || r._status === 202) { S.result = r; S.sendState = 'pending'; draw(); poll(r.id); }
    else finish(r);
  } catch (e) {
    if (e.network || e.status >= 500 || e.status === 429 || e.status === 408) {
      // Unanswered: maybe charged, maybe not. Keep the key; the same request again is safe.
      const delay = RETRY_DELAYS[Math.min(S.retries++, RETRY_DELAYS.length - 1)];
      S.sendState = 'retrying'; S.lastError = e; draw();
      S.timer = setTimeout(attempt, delay);
      return;
    }
    clearPending(); // the server answered: nothing happened with this key
    S.error = e;
    if (e.code === 'category_not_allowed') shopCategories = null; // an admin changed them: read them again
    if (e.code === 'wrong_pin') { S.pin = null; go('pin'); return; }
    go('error');
  }
}

async function poll(id) {
  clearTimeout(S.timer);
  try {
    const r = await api('/api/v1/redemptions/' + encodeURIComponent(id));
    if (r.status === 'confirmed') return finish(r);
    if (r.status === 'failed' || r.status === 'rejected') {
      clearPending(); S.error = { code: r.error?.code || r.reason || 'redemption_failed', details: {} }; go('error'); return;
    }
  } catch (e) { /* keep polling through a dropped connection */ }
  S.timer = setTimeout(() => poll(id), 2000);
}

function finish(r) {
  clearTimeout(S.timer);
  const cur = S.pending || {};
  clearPending();
  S.pin = null;
  S.result = { ...r, program_id: r.program_id || cur.body?.program_id, currency: cur.currency, decimals: cur.decimals };
  go('receipt');
}

addEventListener('online', () => { if (S.step === 'sending' && S.sendState === 'retrying') attempt(); });

function sendingStep() {
  const st = S.sendState;
  const text = st === 'pending' ? t('vendor.pending') : st === 'retrying' ? t('vendor.retrying') : t('vendor.sending');
  main.append(h('h1', { text: t('vendor.confirm_title') }),
    h('p', { class: 'amount-big', text: money(S.pending?.body.amount, S.pending?.body.program_id, S.pending || {}) }),
    h('div', { class: 'msg warn', id: 'send-state', 'data-state': st, role: 'status', 'aria-live': 'polite', text }),
    st === 'retrying' ? h('p', { class: 'muted', text: t('vendor.no_double') }) : null,
    st === 'retrying' ? h('button', { class: 'big', type: 'button', id: 'retry-now', text: t('vendor.retry_now'), on: { click: attempt } }) : null);
}

function receiptStep() {
  const r = S.result;
  main.append(h('h1', { text: t('vendor.receipt') }),
    h('section', { class: 'card receipt', id: 'receipt', 'aria-labelledby': 'receipt-title' },
      h('p', { class: 'msg ok', id: 'receipt-title', text: t('vendor.paid') }),
      h('p', { class: 'amount-big', id: 'receipt-amount', text: money(r.amount, r.program_id, r) }),
      h('dl', { class: 'kv' },
        h('dt', { text: t('vendor.balance_after') }), h('dd', { id: 'receipt-balance', text: money(r.balance_after, r.program_id, r) }),
        h('dt', { text: t('vendor.time') }), h('dd', { text: fmtDate(r.created_at) }),
        h('dt', { text: t('status') }), h('dd', {}, statusBadge(r.status)),
        h('dt', { text: t('tx.block') }), h('dd', { text: r.block_number ?? '' }),
        h('dt', { text: t('tx.hash') }), h('dd', { id: 'receipt-tx' }, txHash(r.tx_hash))),
      refundedNote(r, (v) => money(v, r.program_id, r))),
    refundable(r) > 0 ? h('button', { class: 'big secondary', type: 'button', id: 'receipt-refund', text: t('refund.this_sale'), on: { click: async () => {
      const done = await refundSale(r, moneyOf(r.program_id, r));
      if (done) { S.result = { ...r, refunded: Number(r.refunded || 0) + done.amount }; draw(); }
    } } }) : null,
    h('button', { class: 'big', type: 'button', id: 'next-sale', text: t('vendor.new_sale'), on: { click: () => { reset(); go('card'); } } }),
    h('button', { class: 'big secondary', type: 'button', id: 'receipt-home', text: t('vendor.home'), on: { click: () => go('home') } }));
}

function errorStep() {
  main.append(h('h1', { text: t('vendor.not_paid') }),
    h('div', { class: 'msg error', id: 'sale-error', 'data-code': S.error?.code || '', role: 'alert', text: errorText(S.error) }),
    h('button', { class: 'big', type: 'button', text: t('vendor.new_sale'), on: { click: () => { reset(); go('card'); } } }),
    h('button', { class: 'big secondary', type: 'button', text: t('vendor.home'), on: { click: () => go('home') } }));
}

// resumeStep: after a reload the PIN is gone; the beneficiary types it again and the app re-sends
// the remembered request with the remembered key, which can only return the original result.
function resumeStep() {
  const p = S.pending;
  if (!p) return go('home');
  const pin = pinInput();
  const f = field(t('vendor.pin'), pin);
  const form = h('form', { novalidate: true }, f, h('button', { class: 'big', type: 'submit', text: t('vendor.resume') }));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const typed = latinDigits(pin.value);
    if (!/^\d{4,8}$/.test(typed)) return f.setError(t('vendor.pin_format'));
    S.pin = typed; S.card = p.body.card_number; S.program = p.body.program_id;
    programInfo.set(p.body.program_id, { currency: p.currency, decimals: p.decimals, name: '' });
    S.retries = 0; attempt();
  });
  main.append(h('h1', { text: t('vendor.resume') }), h('p', { class: 'amount-big', text: money(p.body.amount, p.body.program_id, p) }),
    h('p', { class: 'cardno', text: formatCard(p.body.card_number) }), h('div', { class: 'msg warn', text: t('vendor.hand_phone') }), form, back('home'));
  pin.focus();
}

const SALES_SHOWN = 50; // newest first; the statement CSV has them all

async function salesStep() {
  const out = h('div', { class: 'msg' });
  const box = h('div', { id: 'sales' }, h('p', { class: 'muted', text: t('loading') }));
  main.className = '';
  main.append(h('h1', { text: t('vendor.today') }), out, box, back('home'));
  const from = new Date(); from.setHours(0, 0, 0, 0);
  try {
    const q = `from=${encodeURIComponent(from.toISOString())}&to=${encodeURIComponent(new Date(Date.now() + 60000).toISOString())}`;
    // Redemption list: {redemptions, total, page, page_size}, newest first; a day fits in a few pages of 500.
    const [first] = await Promise.all([api(`/api/v1/redemptions?${q}&page=1&page_size=500`), loadPrograms()]);
    const list = [...(first.redemptions || [])];
    for (let page = 2; list.length < (first.total || 0) && page <= 20; page++) {
      const r = await api(`/api/v1/redemptions?${q}&page=${page}&page_size=500`);
      if (!(r.redemptions || []).length) break;
      list.push(...r.redemptions);
    }
    const totals = new Map(); // net of refunds: what the shop is owed for today's sales
    for (const x of list) if (x.status === 'confirmed') totals.set(x.program_id, (totals.get(x.program_id) || 0) + Number(x.amount) - Number(x.refunded || 0));
    const sold = list.filter((x) => x.status === 'confirmed').length;
    clear(box,
      h('div', { class: 'stats' }, h('div', { class: 'stat', id: 'sales-count' }, h('div', { class: 'muted', text: t('vendor.sales_count') }), h('div', { class: 'v', text: fmtNumber(sold) })),
        [...totals].map(([pid, sum]) => h('div', { class: 'stat', 'data-program': pid }, h('div', { class: 'muted', text: programInfo.get(pid)?.name || t('vendor.total') }), h('div', { class: 'v', text: money(sum, pid) })))),
      list.length === 0 ? h('p', { text: t('vendor.no_sales') }) :
        h('div', { class: 'table-wrap' }, h('table', {}, h('thead', {}, h('tr', {}, [t('vendor.time'), t('vendor.amount'), t('vendor.category'), t('status')].map((c) => h('th', { scope: 'col', text: c })))),
          h('tbody', {}, list.slice(0, SALES_SHOWN).map((x) => h('tr', { 'data-redemption': x.id }, h('td', { class: 'nowrap', text: fmtTime(x.created_at) }),
            h('td', { class: 'num' }, money(x.amount, x.program_id, x), refundedNote(x, (v) => money(v, x.program_id, x)),
              refundable(x) > 0 ? h('button', { type: 'button', class: 'secondary refund', text: t('refund.button'), on: { click: async () => {
                if (await refundSale(x, moneyOf(x.program_id, x))) draw();
              } } }) : null),
            h('td', { text: t('cat.' + x.category) }), h('td', {}, statusBadge(x.status))))))),
      list.length > SALES_SHOWN ? h('p', { class: 'muted', text: t('vendor.sales_more', { shown: fmtNumber(SALES_SHOWN), n: fmtNumber(list.length) }) }) : null);
  } catch (e) { clear(box); msg(out, 'error', errorText(e)); }
}

async function statementStep() {
  const out = h('div', { class: 'msg' });
  const box = h('div', { id: 'statement-box' }, h('p', { class: 'muted', text: t('loading') }));
  const path = `/api/v1/vendors/${encodeURIComponent(user.vendor_id || '')}/statement`;
  main.append(h('h1', { text: t('vendor.statement') }), out, box,
    h('button', { class: 'big secondary', type: 'button', text: t('download_csv'), on: { click: async () => {
      try { download('statement.csv', await fetchText(path + '?format=csv')); } catch (e) { msg(out, 'error', errorText(e)); }
    } } }), back('home'));
  try {
    const [r] = await Promise.all([api(path), loadPrograms()]);
    // Statement: totals per program ({program_id, currency, decimals, redeemed, settled, unsettled}); the
    // top-level sums mix currencies, so they are shown only when there is one program.
    const positions = r.programs || [];
    if (!positions.length) box.replaceChildren(h('p', { text: t('vendor.no_sales') }));
    else clear(box, positions.map((x) => h('section', { class: 'card', 'data-program': x.program_id },
      h('h2', { text: programInfo.get(x.program_id)?.name || x.currency }),
      // Read top to bottom, the figures add up: redeemed (already net of what was given back,
      // as the ledger keeps it) less paid is owed. What was given back is said with the first.
      h('div', { class: 'stats' }, ['redeemed', 'settled', 'unsettled'].map((k) =>
        h('div', { class: 'stat', id: positions.length === 1 ? 'st-' + k : undefined, 'data-key': k },
          h('div', { class: 'muted', text: k === 'redeemed' && x.refunded > 0
            ? t('vendor.redeemed_net', { amount: fmtMoney(x.refunded, x.currency, currencyDecimals(x.currency, x.decimals)) }) : t('vendor.' + k) }),
          h('div', { class: 'v', 'data-minor': String(x[k] ?? 0), text: fmtMoney(x[k] ?? 0, x.currency, currencyDecimals(x.currency, x.decimals)) })))))));
    const settlements = r.settlements || [];
    if (settlements.length) box.append(h('h2', { text: t('admin.settlements') }), h('ul', { class: 'settlements' }, settlements.map((s) =>
      h('li', {}, fmtDate(s.created_at), ' · ', money(s.amount, s.program_id), ' · ', s.reference || '', s.reverses_id ? ' (' + t('admin.reversal') + ')' : '', ' ', txHash(s.tx_hash)))));
  } catch (e) { clear(box); msg(out, 'error', errorText(e)); }
}

startApp({ titleKey: 'app.vendor', roles: ['vendor'], render: (m, u) => { main = m; user = u; draw(); } });
