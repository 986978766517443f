// /enroll: aid workers. Enrollment with inline validation and duplicate warning, search with
// paging, the beneficiary page (details and their correction, balances, purchases, suspend, reinstate, PIN reset, erasure,
// printable QR card), CSV import with progress and a downloadable error list, and cycle allocation.
// Personal data stays in memory: never in the URL, the title or browser storage.
import { h, clear, msg, field, confirmDialog, download } from './dom.js';
import { t, fmtMoney, fmtNumber, fmtDate, currencyDecimals, parseMajor } from './i18n.js';
import { api, blobURL, listAll } from './api.js';
import { startApp, errorText, statusBadge, tabs, txHash } from './shell.js';
import { formatCard } from './damm.js';
import { toCSV } from './csv.js';
import { printCards, recentImports, stopImport } from './cardsheet.js';
import { refundSale, refundable, refundedNote } from './refund.js';
import { FIELDS, OPTIONAL, validate, duplicateText, correctForm } from './person.js';

let main, user, current = 'enroll';
const S = { q: '', page: 1, detailId: null };

function draw() {
  clear(main);
  main.className = '';
  if (S.detailId) return detail(S.detailId);
  tabs([
    { id: 'enroll', label: t('enroll.tab_enroll'), draw: enrollForm },
    { id: 'search', label: t('enroll.tab_search'), draw: search },
    { id: 'import', label: t('enroll.tab_import'), draw: importCSV },
    { id: 'allocate', label: t('enroll.tab_allocate'), draw: allocate },
  ], main, current);
}

function enrollForm(panel) {
  current = 'enroll';
  const fields = {};
  const out = h('div', { class: 'msg', id: 'enroll-msg' });
  const dup = h('div', { id: 'duplicate' });
  const grid = h('div', { class: 'grid2' });
  for (const [name, type, ac] of FIELDS) {
    const input = h('input', { id: 'f-' + name, name, type, autocomplete: ac, inputmode: name === 'pin' ? 'numeric' : undefined, min: type === 'number' ? '1' : undefined });
    const f = field(t('field.' + name), input, name === 'pin' ? t('enroll.pin_hint') : OPTIONAL.has(name) ? t('enroll.optional') : undefined);
    input.addEventListener('blur', () => f.setError(validate(name, input.value.trim())));
    input.addEventListener('input', () => { if (input.getAttribute('aria-invalid')) f.setError(validate(name, input.value.trim())); });
    fields[name] = f; grid.append(f);
  }
  const btn = h('button', { type: 'submit', class: 'big', id: 'enroll-submit', text: t('enroll.submit') });
  const form = h('form', { novalidate: true, id: 'enroll-form', autocomplete: 'off' }, h('h1', { text: t('enroll.title') }), grid, out, dup, btn);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clear(dup); msg(out, '', '');
    const body = {};
    let first = null;
    for (const [name] of FIELDS) {
      const v = fields[name].input.value.trim();
      const err = validate(name, v);
      fields[name].setError(err);
      if (err && !first) first = fields[name].input;
      body[name] = name === 'household_size' ? Number(v) : v;
    }
    if (first) { first.focus(); return msg(out, 'error', t('v.fix')); }
    btn.disabled = true;
    try {
      const r = await api('/api/v1/beneficiaries', { method: 'POST', once: true, body });
      form.reset();
      // The next person is most likely enrolled at the same place.
      fields.location.input.value = body.location;
      msg(out, 'ok', t('enroll.created', { card: formatCard(r.card_number) }));
      out.append(' ', h('button', { type: 'button', class: 'secondary', id: 'open-created', text: t('enroll.open'), on: { click: () => open(r.id) } }));
    } catch (e) {
      if (e.code === 'duplicate_beneficiary') {
        msg(out, 'error', duplicateText(e));
        const id = e.details?.existing_id;
        dup.append(h('div', { class: 'card', id: 'duplicate-card' }, h('h3', { text: t('enroll.existing') }), h('div', { id: 'existing' }, t('loading'))));
        if (id) api('/api/v1/beneficiaries/' + encodeURIComponent(id)).then((b) => clear(dup.querySelector('#existing'), summary(b),
          h('button', { type: 'button', class: 'secondary', text: t('enroll.open'), on: { click: () => open(id) } }))).catch(() => clear(dup.querySelector('#existing'), id));
      } else {
        if (e.field && fields[e.field]) { fields[e.field].setError(errorText(e)); fields[e.field].input.focus(); }
        msg(out, 'error', errorText(e));
      }
    } finally { btn.disabled = false; }
  });
  panel.append(form);
}

function summary(b) {
  return h('dl', { class: 'kv' },
    h('dt', { text: t('field.name') }), h('dd', { text: [b.given_name, b.family_name].filter(Boolean).join(' ') || '—' }),
    h('dt', { text: t('vendor.card_number') }), h('dd', { class: 'cardno', text: formatCard(b.card_number || '') }),
    h('dt', { text: t('field.date_of_birth') }), h('dd', { text: b.date_of_birth || '—' }),
    h('dt', { text: t('field.national_id') }), h('dd', { text: b.national_id || '—' }),
    h('dt', { text: t('field.phone') }), h('dd', { dir: 'ltr', text: b.phone || '—' }),
    h('dt', { text: t('field.location') }), h('dd', { text: b.location || '—' }),
    h('dt', { text: t('field.household_size') }), h('dd', { text: b.household_size ?? '—' }),
    h('dt', { text: t('status') }), h('dd', {}, cardStatus(b)));
}

// cardStatus is the record's status and, when five wrong PINs locked the card, that too: a
// shop tells the holder to ask an aid worker, who must see why the card is refused.
function cardStatus(b) {
  const status = statusBadge(b.status);
  if (!b.pin_locked) return status;
  return h('span', {}, status, ' ', h('span', { class: 'badge locked', 'data-pin-locked': 'true', text: t('enroll.pin_locked') }));
}

function open(id) { S.detailId = id; draw(); main.focus(); }

function search(panel) {
  current = 'search';
  const q = h('input', { id: 'q', type: 'search', value: S.q, autocomplete: 'off' });
  const out = h('div', { class: 'msg' });
  const list = h('div', { id: 'results' });
  const form = h('form', { role: 'search', novalidate: true }, field(t('enroll.search_label'), q, t('enroll.search_hint')),
    h('button', { type: 'submit', text: t('enroll.search') }));
  const run = async () => {
    S.q = q.value.trim();
    clear(list, h('p', { class: 'muted', text: t('loading') }));
    try {
      const r = await api(`/api/v1/beneficiaries?q=${encodeURIComponent(S.q)}&page=${S.page}&page_size=20`);
      const items = r.beneficiaries || [];
      const pages = Math.max(1, Math.ceil((r.total || 0) / (r.page_size || 20)));
      clear(list, h('p', { text: t('enroll.results', { n: fmtNumber(r.total || 0) }) }),
        h('div', { class: 'table-wrap' }, h('table', {}, h('thead', {}, h('tr', {}, [t('field.name'), t('vendor.card_number'), t('field.location'), t('status')].map((c) => h('th', { scope: 'col', text: c })))),
          h('tbody', {}, items.map((b) => h('tr', {}, h('td', {}, h('button', { type: 'button', class: 'secondary', text: [b.given_name, b.family_name].filter(Boolean).join(' ') || '—', on: { click: () => open(b.id) } })),
            h('td', { class: 'mono', text: formatCard(b.card_number || '') }), h('td', { text: b.location || '' }), h('td', {}, cardStatus(b))))))),
        h('nav', { class: 'row', 'aria-label': t('enroll.paging') },
          h('button', { type: 'button', class: 'secondary', text: t('prev'), disabled: S.page <= 1, on: { click: () => { S.page--; run(); } } }),
          h('span', { text: t('enroll.page', { page: fmtNumber(S.page), pages: fmtNumber(pages) }) }),
          h('button', { type: 'button', class: 'secondary', text: t('next'), disabled: S.page >= pages, on: { click: () => { S.page++; run(); } } })));
    } catch (e) { clear(list); msg(out, 'error', errorText(e)); }
  };
  form.addEventListener('submit', (ev) => { ev.preventDefault(); S.page = 1; run(); });
  panel.append(h('h1', { text: t('enroll.tab_search') }), form, out, list);
  run();
}

async function detail(id, flash) {
  const out = h('div', { class: 'msg', id: 'detail-msg' });
  if (flash) msg(out, flash[0], flash[1]);
  const box = h('div', {}, t('loading'));
  main.append(h('button', { type: 'button', class: 'secondary noprint', id: 'back', text: t('back'), on: { click: () => { S.detailId = null; draw(); } } }), out, box);
  let b;
  try { b = await api('/api/v1/beneficiaries/' + encodeURIComponent(id)); } catch (e) { clear(box); msg(out, 'error', errorText(e)); return; }
  const act = (label, path, confirmText, opts = {}) => h('button', { type: 'button', class: opts.danger ? 'danger' : 'secondary', id: opts.id, text: label, on: { click: async () => {
    if (confirmText && !await confirmDialog(confirmText, label, t('cancel'), !!opts.danger)) return;
    try { await api(path, { method: opts.method || 'POST', body: opts.body?.(), once: opts.once }); clear(main); detail(id, ['ok', label + ': ' + t('done')]); } catch (e) { msg(out, 'error', errorText(e)); }
  } } });
  const base = '/api/v1/beneficiaries/' + encodeURIComponent(id);
  const pin = h('input', { id: 'new-pin', type: 'password', inputmode: 'numeric', autocomplete: 'new-password', maxlength: '8' });
  const pinField = field(t('enroll.new_pin'), pin, t('enroll.pin_hint'));
  // The PIN is checked at its field before the confirmation is asked, and the server's refusal
  // is said there too: on a phone the page's message is off-screen, above the record.
  const resetPIN = h('button', { type: 'button', class: 'secondary', id: 'reset-pin', text: t('enroll.reset_pin'), on: { click: async () => {
    const err = validate('pin', pin.value.trim());
    pinField.setError(err);
    if (err) { pin.focus(); return; }
    if (!await confirmDialog(t('enroll.reset_pin_confirm'), t('enroll.reset_pin'), t('cancel'), false)) return;
    try { await api(base + '/pin', { method: 'POST', body: { pin: pin.value.trim() } }); clear(main); detail(id, ['ok', t('enroll.reset_pin') + ': ' + t('done')]); }
    catch (e) { pinField.setError(errorText(e)); pin.focus(); }
  } } });
  pin.addEventListener('input', () => { if (pin.getAttribute('aria-invalid')) pinField.setError(validate('pin', pin.value.trim())); });
  const balances = b.balances || [];
  const printArea = h('div', { class: 'print-area', id: 'print-area' });
  clear(box, h('h1', { text: t('enroll.beneficiary') }), h('div', { class: 'card' }, summary(b)),
    b.erased ? null : correctForm(b, () => { clear(main); detail(id, ['ok', t('enroll.correct_saved')]); }),
    h('h2', { text: t('enroll.balances') }),
    balances.length ? h('div', { class: 'table-wrap' }, h('table', { id: 'balances' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: t('tr.program') }), h('th', { scope: 'col', class: 'num', text: t('enroll.available') }), h('th', { scope: 'col', class: 'num', text: t('enroll.pending') }))),
      h('tbody', {}, balances.map((x) => h('tr', { 'data-program': x.id }, h('td', { text: x.name }),
        h('td', { class: 'num available', 'data-minor': x.available ?? 0, text: fmtMoney(x.available ?? 0, x.currency, currencyDecimals(x.currency, x.decimals)) }),
        h('td', { class: 'num', text: fmtMoney(x.pending ?? 0, x.currency, currencyDecimals(x.currency, x.decimals)) })))))) : h('p', { class: 'muted', text: t('enroll.no_balances') }),
    h('h2', { text: t('enroll.actions') }),
    h('div', { class: 'row noprint' },
      b.status === 'suspended' ? act(t('enroll.reinstate'), base + '/reinstate', null, { id: 'reinstate' }) : act(t('enroll.suspend'), base + '/suspend', t('enroll.suspend_confirm'), { id: 'suspend' }),
      h('button', { type: 'button', id: 'print-card', text: t('enroll.print'), on: { click: async () => {
        try {
          const url = await blobURL(base + '/card');
          const img = h('img', { src: url, alt: t('enroll.card_alt', { card: formatCard(b.card_number || '') }) });
          clear(printArea, img);
          await img.decode().catch(() => {});
          window.print();
        } catch (e) { msg(out, 'error', errorText(e)); }
      } } }),
      // Once: a retried replacement whose answer was lost must not issue yet another number.
      b.erased ? null : act(t('enroll.replace_card'), base + '/card', t('enroll.replace_confirm', { card: formatCard(b.card_number || '') }), { id: 'replace-card', once: true })),
    h('div', { class: 'card noprint' }, pinField, resetPIN),
    h('div', { class: 'card noprint' }, h('p', { text: t('enroll.erase_intro') }), act(t('enroll.erase'), base + '/personal-data', t('enroll.erase_confirm'), { id: 'erase', danger: true, method: 'DELETE' })),
    h('h2', { class: 'noprint', text: t('enroll.purchases') }), purchasesOf(base, balances),
    h('h2', { class: 'noprint', text: t('enroll.history') }), historyOf(base));
  main.append(printArea);
}

const PURCHASES_PAGE = 20;
let vendorNames = null; // id → name, read once per visit: vendors are few and rarely change

// purchasesOf lists what the beneficiary bought, newest first, a page at a time: the answer to
// "my balance is lower than it should be". Each row has the balance left after it and the
// chain transaction that carries it.
function purchasesOf(base, balances) {
  const box = h('div', { id: 'purchases', class: 'noprint' }, t('loading'));
  const programs = new Map(balances.map((x) => [x.id, x]));
  const money = (v, pid) => { const p = programs.get(pid); return p ? fmtMoney(v, p.currency, currencyDecimals(p.currency, p.decimals)) : fmtNumber(v); };
  // Admins give back a sale (a shop's mistake reported at the help desk); aid workers may not.
  const refundButton = (x) => (user?.role !== 'admin' || refundable(x) <= 0 ? null :
    h('button', { type: 'button', class: 'secondary refund', text: t('refund.button'), on: { click: async () => {
      const p = programs.get(x.program_id) || {};
      if (await refundSale(x, { currency: p.currency || '', decimals: currencyDecimals(p.currency, p.decimals) })) draw();
    } } }));
  const rows = h('tbody');
  const more = h('button', { type: 'button', class: 'secondary', id: 'purchases-more', text: t('enroll.purchases_more') });
  let page = 0;
  const load = async () => {
    more.disabled = true;
    try {
      if (!vendorNames) vendorNames = new Map((await listAll('/api/v1/vendors', 'vendors')).map((v) => [v.id, v.name]));
      const r = await api(`${base}/redemptions?page=${++page}&page_size=${PURCHASES_PAGE}`);
      const list = r.redemptions || [];
      if (page === 1 && !list.length) { clear(box, h('p', { class: 'muted', text: t('enroll.no_purchases') })); return; }
      rows.append(...list.map((x) => h('tr', { 'data-redemption': x.id, 'data-status': x.status },
        h('td', { text: fmtDate(x.created_at) }), h('td', { text: vendorNames.get(x.vendor_id) || x.vendor_id }),
        h('td', { text: programs.get(x.program_id)?.name || '' }), h('td', { text: t('cat.' + x.category) }),
        h('td', { class: 'num' }, money(x.amount, x.program_id), refundedNote(x, (v) => money(v, x.program_id))),
        h('td', { class: 'num', text: money(x.balance_after, x.program_id) }),
        h('td', {}, statusBadge(x.status), refundButton(x)), h('td', {}, txHash(x.tx_hash)))));
      if (page === 1) {
        clear(box, h('div', { class: 'table-wrap' }, h('table', {}, h('thead', {}, h('tr', {},
          [t('vendor.time'), t('tr.col_vendor'), t('tr.program'), t('vendor.category'), t('vendor.amount'), t('vendor.balance_after'), t('status'), t('tx.hash')]
            .map((c, i) => h('th', { scope: 'col', class: i === 4 || i === 5 ? 'num' : undefined, text: c })))), rows)), more);
      }
      more.hidden = rows.children.length >= (r.total || 0);
    } catch (e) { page--; msg(box, 'error', errorText(e)); }
    more.disabled = false;
  };
  more.addEventListener('click', load);
  load();
  return box;
}

// historyOf lists who did what to the record (the audit log), newest first: the answer to a
// beneficiary's "who changed my details?".
function historyOf(base) {
  const box = h('div', { id: 'history', class: 'noprint' }, t('loading'));
  const label = (a) => { const s = t('audit.' + a); return s === 'audit.' + a ? a : s; };
  api(base + '/history?limit=50').then((r) => {
    const es = r.events || [];
    clear(box, es.length ? h('div', { class: 'table-wrap' }, h('table', {},
      h('thead', {}, h('tr', {}, [t('vendor.time'), t('audit.who'), t('audit.action'), t('audit.detail')].map((c) => h('th', { scope: 'col', text: c })))),
      h('tbody', {}, es.map((e) => h('tr', { 'data-action': e.action }, h('td', { text: fmtDate(e.at) }),
        h('td', { text: e.actor === 'cli' ? t('audit.cli') : (e.actor_email || e.actor) }), h('td', { text: label(e.action) }), h('td', { text: e.detail || '' }))))))
      : h('p', { class: 'muted', text: t('audit.none') }));
  }, (e) => { clear(box); msg(box, 'error', errorText(e)); });
  return box;
}

// gzipped compresses a CSV in the browser before it is sent, where the browser can: a CSV
// shrinks four- to fivefold, minutes on a camp's uplink. The server knows gzip by its first
// bytes; a file gzipped already goes as it is.
async function gzipped(f) {
  if (typeof CompressionStream !== 'function' || /\.gz$/i.test(f.name)) return f;
  try {
    const blob = await new Response(f.stream().pipeThrough(new CompressionStream('gzip'))).blob();
    return new File([blob], f.name + '.gz', { type: 'application/gzip' });
  } catch { return f; /* send it plain */ }
}

function importCSV(panel) {
  current = 'import';
  const file = h('input', { id: 'csv-file', type: 'file', accept: '.csv,.gz,text/csv,application/gzip' });
  const out = h('div', { class: 'msg', id: 'import-msg' });
  const bar = h('progress', { id: 'import-progress', max: '100', value: '0', 'aria-label': t('enroll.progress') });
  const status = h('p', { id: 'import-status', role: 'status', 'aria-live': 'polite' });
  const errBox = h('div', { id: 'import-errors', class: 'row' });
  const again = () => { clear(panel); importCSV(panel); };
  const recent = h('div');
  const showRecent = () => clear(recent, recentImports(panel, again));
  const btn = h('button', { type: 'submit', id: 'import-submit', text: t('enroll.import') });
  const stop = h('button', { type: 'button', class: 'danger', id: 'import-stop', hidden: true, text: t('enroll.import_stop') });
  const form = h('form', { novalidate: true }, field(t('enroll.csv_file'), file, t('enroll.csv_hint')), btn);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!file.files[0]) return msg(out, 'error', t('enroll.csv_missing'));
    btn.disabled = true; clear(errBox); msg(out, '', '');
    try {
      const fd = new FormData(); fd.append('file', await gzipped(file.files[0]));
      const job = await api('/api/v1/beneficiaries/imports', { method: 'POST', form: fd, timeout: 120000 });
      // The wrong file: stop it. What it enrolled so far stays; the poll below then sees it end.
      stop.onclick = () => stopImport(job.id).catch((e) => { if (e.code !== 'import_finished') msg(out, 'error', errorText(e)); });
      stop.hidden = false;
      for (;;) {
        const r = await api('/api/v1/beneficiaries/imports/' + encodeURIComponent(job.id)).catch((e) => (e.network ? null : Promise.reject(e)));
        if (r) {
          const pct = r.total ? Math.floor(100 * r.processed / r.total) : (r.status === 'done' ? 100 : 0);
          bar.value = r.status === 'done' ? 100 : pct;
          status.textContent = t('enroll.import_status', { pct: fmtNumber(bar.value), processed: fmtNumber(r.processed || 0), total: fmtNumber(r.total || 0),
            created: fmtNumber(r.created || 0), duplicates: fmtNumber(r.duplicates || 0), failed: fmtNumber(r.failed || 0) });
          if (r.status === 'done' || r.status === 'failed') {
            stop.hidden = true;
            msg(out, r.status === 'done' ? 'ok' : 'error', t('enroll.import_' + r.status) + (r.error ? ' ' + r.error : ''));
            showRecent();
            const errs = r.errors || [];
            if (r.status === 'done' && r.created > 0) errBox.append(h('button', { type: 'button', id: 'import-print', text: t('enroll.print_cards', { n: fmtNumber(r.created) }),
              on: { click: () => { clear(panel); printCards(panel, job.id, again); } } }));
            if (errs.length) errBox.append(h('button', { type: 'button', class: 'secondary', id: 'import-errors-csv', text: t('enroll.errors_csv', { n: fmtNumber(r.error_count ?? errs.length) }),
              on: { click: () => download('import-errors.csv', toCSV(['row', 'field', 'message'], errs.map((x) => [x.row, x.field, x.message]))) } }));
            break;
          }
        }
        await new Promise((res) => setTimeout(res, 1000));
      }
    } catch (e) { msg(out, 'error', errorText(e)); } finally { btn.disabled = false; stop.hidden = true; }
  });
  panel.append(h('h1', { text: t('enroll.tab_import') }), form, bar, status, stop, out, errBox,
    h('h2', { text: t('enroll.recent_imports') }), recent);
  showRecent();
}

async function allocate(panel) {
  current = 'allocate';
  const out = h('div', { class: 'msg', id: 'alloc-msg' });
  const sel = h('select', { id: 'alloc-program' });
  // The cycle starts on the one after the program's last (the server refuses any other as
  // stale), until the worker types another; the last one is said under the field.
  const cycle = h('input', { id: 'alloc-cycle', type: 'number', min: '1', value: '1' });
  const cycleField = field(t('enroll.cycle'), cycle, t('loading'));
  const cycleHint = cycleField.querySelector('.hint');
  let cycleTyped = false;
  cycle.addEventListener('input', () => { cycleTyped = true; cycleField.setError(''); });
  const perHH = h('input', { id: 'alloc-hh', inputmode: 'decimal' });
  const perMember = h('input', { id: 'alloc-member', inputmode: 'decimal', value: '0' });
  const bar = h('progress', { max: '100', value: '0', 'aria-label': t('enroll.progress') });
  const btn = h('button', { type: 'submit', text: t('enroll.allocate') });
  // Where: every active beneficiary, or those of one location (a cycle for one camp).
  const where = h('select', { id: 'alloc-location' });
  // And/or the people one CSV import enrolled: a first cycle for a newly registered group.
  const fromImport = h('select', { id: 'alloc-import' });
  const form = h('form', { novalidate: true }, field(t('tr.program'), sel), cycleField,
    field(t('enroll.per_household'), perHH), field(t('enroll.per_member'), perMember), field(t('enroll.where'), where, t('enroll.all_active')),
    field(t('enroll.from_import'), fromImport), btn);
  panel.append(h('h1', { text: t('enroll.tab_allocate') }), form, bar, out);
  let programs = [], locations = [], imports = [];
  try {
    [programs, locations, imports] = await Promise.all([listAll('/api/v1/programs', 'programs'), api('/api/v1/beneficiaries/locations').then((r) => r.locations || []),
      api('/api/v1/beneficiaries/imports').then((r) => (r.imports || []).filter((im) => im.created > 0))]);
    programs = programs.filter((p) => p.status !== 'closed');
  } catch (e) { msg(out, 'error', errorText(e)); }
  sel.append(...programs.map((p) => h('option', { value: p.id, text: `${p.name} (${p.currency})` })));
  const everyone = locations.reduce((n, l) => n + l.active, 0);
  where.append(h('option', { value: '', text: t('enroll.everyone', { n: fmtNumber(everyone) }) }),
    ...locations.map((l) => h('option', { value: l.location, text: `${l.location} (${fmtNumber(l.active)})` })));
  fromImport.append(h('option', { value: '', text: t('enroll.any_import') }),
    ...imports.map((im) => h('option', { value: im.id, text: t('enroll.import_of', { when: fmtDate(im.created_at), n: fmtNumber(im.created) }) })));
  // nextCycle reads the chosen program's last cycle and offers the one after it.
  let asked = 0;
  const nextCycle = async (force) => {
    const pid = sel.value, mine = ++asked;
    if (!pid) return;
    if (force) cycleTyped = false;
    try {
      const p = await api('/api/v1/programs/' + encodeURIComponent(pid));
      if (mine !== asked) return; // another program was chosen meanwhile
      const last = p.last_cycle ?? 0;
      cycleHint.textContent = last ? t('enroll.last_cycle', { n: fmtNumber(last) }) : t('enroll.no_cycle_yet');
      if (!cycleTyped) cycle.value = String(last + 1);
      cycle.dataset.program = pid; // ready: tests wait on it
    } catch { if (mine === asked) cycleHint.textContent = ''; }
  };
  sel.addEventListener('change', () => nextCycle(true));
  nextCycle(false);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    cycleField.setError('');
    const p = programs.find((x) => x.id === sel.value);
    if (!p) return msg(out, 'error', t('vendor.choose_program'));
    const dec = currencyDecimals(p.currency, p.decimals);
    const c = Number(cycle.value);
    if (!Number.isInteger(c) || c < 1) { cycleField.setError(t('enroll.cycle_invalid')); cycle.focus(); return; }
    const a = parseMajor(perHH.value || '0', dec) ?? 0, m = parseMajor(perMember.value || '0', dec) ?? 0;
    if (!a && !m) return msg(out, 'error', t('vendor.amount_invalid', { d: dec }));
    const ask = allocationQuestion({ p, dec, cycle: c, a, m, location: where.value, locations, everyone,
      im: imports.find((x) => x.id === fromImport.value) });
    if (!await confirmDialog(ask, t('enroll.allocate'), t('cancel'), false)) return;
    btn.disabled = true;
    try {
      const job = await api(`/api/v1/programs/${encodeURIComponent(p.id)}/allocations`, { method: 'POST', once: true, body: { cycle: c, amount_per_household: a, amount_per_member: m, all_active: true, location: where.value || undefined, import_id: fromImport.value || undefined } });
      for (;;) {
        const r = await api(`/api/v1/programs/${encodeURIComponent(p.id)}/allocations/${encodeURIComponent(job.id)}`).catch(() => null);
        if (r) {
          // Job: {status running|done|failed, total, submitted, confirmed, failed, amount_total, errors}
          const settled = (r.confirmed || 0) + (r.failed || 0);
          bar.value = r.total ? Math.floor(100 * settled / r.total) : (r.status === 'running' ? 0 : 100);
          const counts = t('enroll.alloc_counts', { confirmed: fmtNumber(r.confirmed || 0), total: fmtNumber(r.total || 0), failed: fmtNumber(r.failed || 0),
            amount: fmtMoney(r.amount_total || 0, p.currency, dec) });
          msg(out, 'warn', t('enroll.alloc_status', { status: t('status.' + r.status), pct: fmtNumber(bar.value) }) + ' ' + counts);
          if (r.status === 'done' || r.status === 'failed') {
            bar.value = 100;
            msg(out, r.status === 'failed' || r.failed ? 'error' : 'ok', t('enroll.alloc_' + (r.status === 'failed' ? 'failed' : 'done')) + ' ' + counts);
            if ((r.errors || []).length) out.append(h('ul', {}, r.errors.slice(0, 20).map((x) => h('li', { text: (x.beneficiary_id ? x.beneficiary_id + ': ' : '') + x.reason }))));
            nextCycle(true);
            break;
          }
        }
        await new Promise((res) => setTimeout(res, 1500));
      }
    } catch (e) {
      if (e.code === 'stale_cycle') { cycleField.setError(errorText(e)); nextCycle(true); }
      msg(out, 'error', errorText(e));
    } finally { btn.disabled = false; }
  });
}

// allocationQuestion is the confirmation's sentence: which program and cycle, how much each
// household gets, who (everyone active, one location, one import) and, where the page knows how
// many people that is, the total. An allocation is on chain for good, so the worker reads the
// amounts as they will be credited.
function allocationQuestion({ p, dec, cycle, a, m, location, locations, everyone, im }) {
  const money = (v) => fmtMoney(v, p.currency, dec);
  const amount = a && m ? t('enroll.per_both', { hh: money(a), m: money(m) }) : a ? t('enroll.per_hh', { hh: money(a) }) : t('enroll.per_m', { m: money(m) });
  // How many: the locations' counts of active people are exact; an import's count is of those
  // it enrolled, some of whom may be suspended since, and within a location it is not known.
  let who, n = null;
  const when = im ? fmtDate(im.created_at) : '';
  if (im && location) who = t('enroll.who_import_at', { when, location });
  else if (im) who = t('enroll.who_import', { when, n: fmtNumber(im.created) });
  else if (location) { n = locations.find((l) => l.location === location)?.active ?? null; who = t('enroll.who_location', { location, n: fmtNumber(n ?? 0) }); }
  else { n = everyone; who = t('enroll.who_all', { n: fmtNumber(n) }); }
  let ask = t('enroll.allocate_confirm', { cycle: fmtNumber(cycle), program: p.name, amount, who });
  // The total is known only per household: per member it needs each household's size.
  if (n !== null && !m) ask += ' ' + t('enroll.allocate_total', { total: money(BigInt(a) * BigInt(n)) });
  return ask;
}

startApp({ titleKey: 'app.enroll', roles: ['aidworker', 'admin'], render: (m, u) => { main = m; user = u; draw(); } });
