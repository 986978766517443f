// /admin: programs and funding, vendors, users and roles, settlements, reconciliation. Every
// chain write shows its transaction hash as evidence.
import { h, clear, msg, field, confirmDialog, download } from './dom.js';
import { t, fmtMoney, fmtNumber, fmtDate, currencyDecimals, parseMajor } from './i18n.js';
import { api, fetchText } from './api.js';
import { startApp, errorText, statusBadge, tabs, txHash } from './shell.js';

let main, current = 'programs';
const CATEGORIES = ['food', 'hygiene', 'household', 'medicine', 'clothing', 'shelter', 'education', 'fuel', 'other'];
const money = (v, p) => fmtMoney(v ?? 0, p.currency, currencyDecimals(p.currency, p.decimals));

function draw() {
  clear(main);
  tabs([
    { id: 'programs', label: t('admin.programs'), draw: programs },
    { id: 'vendors', label: t('admin.vendors'), draw: vendors },
    { id: 'users', label: t('admin.users'), draw: users },
    { id: 'settlements', label: t('admin.settlements'), draw: settlements },
    { id: 'reconciliation', label: t('admin.reconciliation'), draw: reconciliation },
  ], main, current);
}

function table(head, rows) {
  return h('div', { class: 'table-wrap' }, h('table', {}, h('thead', {}, h('tr', {}, head.map((c) => h('th', { scope: 'col', text: c })))), h('tbody', {}, rows)));
}

// form(fields, submitLabel, onSubmit): fields [{name, label, input}], onSubmit(values) → message.
function form(id, defs, submitLabel, onSubmit) {
  const out = h('div', { class: 'msg' });
  const fs = defs.map((d) => { const f = field(d.label, d.input, d.hint); f.name = d.name; return f; });
  const btn = h('button', { type: 'submit', text: submitLabel });
  const el = h('form', { class: 'card', id, novalidate: true }, h('div', { class: 'grid2' }, fs), out, btn);
  el.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    fs.forEach((f) => f.setError(''));
    const v = Object.fromEntries(fs.map((f) => [f.name, f.input.multiple ? [...f.input.selectedOptions].map((o) => o.value) : f.input.value.trim()]));
    const missing = fs.find((f) => f.input.required && !v[f.name]);
    if (missing) { missing.setError(t('v.required')); missing.input.focus(); return; }
    btn.disabled = true;
    try { const r = await onSubmit(v); msg(out, 'ok', typeof r === 'string' ? r : t('done')); if (r instanceof Node) out.append(' ', r); }
    catch (e) { const f = fs.find((x) => x.name === e.field); if (f) f.setError(errorText(e)); msg(out, 'error', errorText(e)); }
    finally { btn.disabled = false; }
  });
  return el;
}

const input = (attrs = {}) => h('input', { required: true, ...attrs });

async function programs(panel) {
  current = 'programs';
  const list = h('div', {}, t('loading'));
  panel.append(h('h1', { text: t('admin.programs') }),
    form('program-form', [{ name: 'name', label: t('admin.name'), input: input() }, { name: 'currency', label: t('admin.currency'), input: input({ maxlength: '8', placeholder: 'USD' }) },
      { name: 'decimals', label: t('admin.decimals'), input: input({ type: 'number', min: '0', max: '6', value: '2' }) }],
    t('admin.create_program'), async (v) => {
      const r = await api('/api/v1/programs', { method: 'POST', body: { name: v.name, currency: v.currency.toUpperCase(), decimals: Number(v.decimals) } });
      load(); return t('admin.created', { name: r.name });
    }), list);
  async function load() {
    try {
      const ps = (await api('/api/v1/programs')).programs || [];
      const details = await Promise.all(ps.map((p) => api('/api/v1/programs/' + encodeURIComponent(p.id)).catch(() => p)));
      clear(list, details.map((p) => {
        const amount = h('input', { inputmode: 'decimal', required: true });
        const donor = h('input', { required: true });
        const tot = p.totals || {};
        return h('section', { class: 'card' }, h('h2', {}, p.name + ' (' + p.currency + ') ', statusBadge(p.status)),
          h('p', { class: 'muted mono', text: t('admin.chain_program', { id: p.chain_program_id ?? '' }) }),
          h('div', { class: 'stats' }, ['funded', 'allocated', 'redeemed', 'settled', 'expired', 'outstanding'].map((k) =>
            h('div', { class: 'stat' }, h('div', { class: 'muted', text: t('tr.' + k) }), h('div', { class: 'v', text: money(tot[k], p) })))),
          form('fund-' + p.id, [{ name: 'amount', label: t('admin.amount', { c: p.currency }), input: amount }, { name: 'donor', label: t('admin.donor'), input: donor }],
            t('admin.fund'), async (v) => {
              const a = parseMajor(v.amount, currencyDecimals(p.currency, p.decimals));
              if (a === null) throw { field: 'amount', code: 'invalid_amount' };
              const r = await api(`/api/v1/programs/${encodeURIComponent(p.id)}/fundings`, { method: 'POST', body: { amount: a, donor: v.donor } });
              return txHash(r.tx_hash);
            }));
      }));
    } catch (e) { clear(list); const o = h('div'); list.append(o); msg(o, 'error', errorText(e)); }
  }
  load();
}

async function vendors(panel) {
  current = 'vendors';
  const list = h('div', {}, t('loading'));
  const cats = h('select', { multiple: true, size: '4' }, CATEGORIES.map((c) => h('option', { value: c, text: t('cat.' + c) })));
  panel.append(h('h1', { text: t('admin.vendors') }),
    form('vendor-form', [{ name: 'name', label: t('admin.name'), input: input() }, { name: 'location', label: t('field.location'), input: input() },
      { name: 'categories', label: t('admin.categories'), input: cats, hint: t('admin.multi_hint') }],
    t('admin.create_vendor'), async (v) => { const r = await api('/api/v1/vendors', { method: 'POST', body: v }); load(); return t('admin.created', { name: r.name }); }), list);
  async function load() {
    try {
      const vs = (await api('/api/v1/vendors')).vendors || [];
      clear(list, table([t('admin.name'), t('field.location'), t('admin.address'), t('status'), ''], vs.map((v) => h('tr', {},
        h('td', { text: v.name }), h('td', { text: v.location || '' }), h('td', { class: 'mono', text: v.address || '' }), h('td', {}, statusBadge(v.status)),
        h('td', {}, h('button', { type: 'button', class: v.status === 'suspended' ? 'secondary' : 'danger', text: v.status === 'suspended' ? t('enroll.reinstate') : t('enroll.suspend'),
          on: { click: async () => {
            const act = v.status === 'suspended' ? 'reinstate' : 'suspend';
            if (act === 'suspend' && !await confirmDialog(t('admin.suspend_vendor', { name: v.name }), t('enroll.suspend'), t('cancel'))) return;
            await api(`/api/v1/vendors/${encodeURIComponent(v.id)}/${act}`, { method: 'POST' }).catch((e) => alertErr(list, e)); load();
          } } }))))));
    } catch (e) { alertErr(list, e); }
  }
  load();
}

function alertErr(box, e) { const o = h('div'); box.prepend(o); msg(o, 'error', errorText(e)); }

async function users(panel) {
  current = 'users';
  const list = h('div', {}, t('loading'));
  const role = h('select', { required: true }, ['admin', 'aidworker', 'vendor', 'donor'].map((r) => h('option', { value: r, text: t('role.' + r) })));
  const vendorSel = h('select', {}, h('option', { value: '', text: '—' }));
  api('/api/v1/vendors').then((r) => vendorSel.append(...(r.vendors || []).map((v) => h('option', { value: v.id, text: v.name })))).catch(() => {});
  panel.append(h('h1', { text: t('admin.users') }),
    form('user-form', [{ name: 'email', label: t('login.email'), input: input({ type: 'email', autocomplete: 'off' }) },
      { name: 'password', label: t('login.password'), input: input({ type: 'password', autocomplete: 'new-password', minlength: '12' }) },
      { name: 'role', label: t('admin.role'), input: role }, { name: 'vendor_id', label: t('admin.vendor_link'), input: vendorSel, hint: t('admin.vendor_hint') }],
    t('admin.create_user'), async (v) => {
      const body = { email: v.email, password: v.password, role: v.role };
      if (v.role === 'vendor') body.vendor_id = v.vendor_id;
      await api('/api/v1/users', { method: 'POST', body }); load(); return t('admin.created', { name: v.email });
    }), list);
  async function load() {
    try {
      const us = (await api('/api/v1/users')).users || [];
      clear(list, table([t('login.email'), t('admin.role'), t('admin.vendor_link')], us.map((u) => h('tr', {}, h('td', { text: u.email }), h('td', { text: t('role.' + u.role) }), h('td', { class: 'mono', text: u.vendor_id || '' })))));
    } catch (e) { alertErr(list, e); }
  }
  load();
}

async function settlements(panel) {
  current = 'settlements';
  const vendorSel = h('select', { required: true });
  const stmt = h('div', { id: 'statement' });
  let vs = [];
  try { vs = (await api('/api/v1/vendors')).vendors || []; } catch (e) { alertErr(panel, e); }
  vendorSel.append(...vs.map((v) => h('option', { value: v.id, text: v.name })));
  const showStatement = async () => {
    const path = `/api/v1/vendors/${encodeURIComponent(vendorSel.value)}/statement`;
    try {
      const r = await api(path);
      const m = (x) => (r.currency ? fmtMoney(x ?? 0, r.currency, currencyDecimals(r.currency, r.decimals)) : fmtNumber(x ?? 0));
      clear(stmt, h('div', { class: 'stats' }, ['redeemed', 'settled', 'unsettled'].map((k) => h('div', { class: 'stat' }, h('div', { class: 'muted', text: t('vendor.' + k) }), h('div', { class: 'v', text: m(r[k]) })))),
        h('button', { type: 'button', class: 'secondary', text: t('download_csv'), on: { click: async () => download('statement.csv', await fetchText(path + '?format=csv')) } }),
        (r.settlements || []).length ? table([t('vendor.time'), t('vendor.amount'), t('admin.reference'), t('tx.hash')], r.settlements.map((s) =>
          h('tr', {}, h('td', { text: fmtDate(s.created_at) }), h('td', { class: 'num', text: m(s.amount) }), h('td', { text: s.reference || '' }), h('td', {}, txHash(s.tx_hash))))) : null);
    } catch (e) { clear(stmt); alertErr(stmt, e); }
  };
  vendorSel.addEventListener('change', showStatement);
  panel.append(h('h1', { text: t('admin.settlements') }),
    form('settle-form', [{ name: 'vendor_id', label: t('admin.vendor_link'), input: vendorSel },
      { name: 'amount', label: t('admin.amount_minor'), input: input({ type: 'number', min: '1' }), hint: t('admin.amount_minor_hint') },
      { name: 'reference', label: t('admin.reference'), input: input() }],
    t('admin.settle'), async (v) => {
      const r = await api('/api/v1/settlements', { method: 'POST', body: { vendor_id: v.vendor_id, amount: Number(v.amount), reference: v.reference } });
      showStatement(); return txHash(r.tx_hash);
    }), h('h2', { text: t('vendor.statement') }), stmt);
  if (vs.length) showStatement();
}

async function reconciliation(panel) {
  current = 'reconciliation';
  const box = h('div', { id: 'reconciliation' }, t('loading'));
  panel.append(h('h1', { text: t('admin.reconciliation') }), box,
    h('button', { type: 'button', class: 'secondary', text: t('refresh'), on: { click: () => { clear(panel); reconciliation(panel); } } }));
  try {
    const r = await api('/api/v1/admin/reconciliation');
    const ok = r.ok ?? r.consistent ?? (r.status ? r.status === 'ok' : undefined);
    // Rendered generically: every field the server reports, nested objects as nested lists.
    const render = (o) => (o && typeof o === 'object'
      ? h('dl', { class: 'kv' }, Object.entries(o).flatMap(([k, v]) => [h('dt', { text: k }), h('dd', { class: typeof v === 'string' && /^0x[0-9a-f]{64}$/i.test(v) ? 'mono' : '' }, render(v))]))
      : String(o));
    clear(box, ok === undefined ? null : h('div', { class: 'msg ' + (ok ? 'ok' : 'error'), text: ok ? t('admin.recon_ok') : t('admin.recon_bad') }), h('div', { class: 'card' }, render(r)));
  } catch (e) { clear(box); alertErr(box, e); }
}

startApp({ titleKey: 'app.admin', roles: ['admin'], render: (m) => { main = m; draw(); } });
