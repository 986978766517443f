// /admin: programs and funding, vendors, users and roles, settlements, reconciliation. Every
// chain write shows its transaction hash as evidence.
import { h, clear, msg, field, confirmDialog, formDialog, download } from './dom.js';
import { t, fmtMoney, fmtNumber, fmtDate, currencyDecimals, parseMajor, wrappable } from './i18n.js';
import { api, fetchText, listAll, currentUser } from './api.js';
import { startApp, errorText, statusBadge, tabs, txHash, checkNewPassword } from './shell.js';

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
    { id: 'audit', label: t('admin.audit'), draw: activity },
    { id: 'backups', label: t('admin.backups'), draw: backups },
  ], main, current);
}

function table(head, rows) {
  return h('div', { class: 'table-wrap' }, h('table', {}, h('thead', {}, h('tr', {}, head.map((c) => h('th', { scope: 'col', text: c })))), h('tbody', {}, rows)));
}

// form(fields, submitLabel, onSubmit): fields [{name, label, input, hint, missing}], onSubmit(values)
// → message, or false when the user backed out (of a confirmation): nothing is said then.
function form(id, defs, submitLabel, onSubmit) {
  const out = h('div', { class: 'msg' });
  const fs = defs.map((d) => { const f = field(d.label, d.input, d.hint); f.name = d.name; f.missing = d.missing; return f; });
  const btn = h('button', { type: 'submit', text: submitLabel });
  const el = h('form', { class: 'card', id, novalidate: true }, h('div', { class: 'grid2' }, fs), out, btn);
  el.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    fs.forEach((f) => f.setError(''));
    const v = Object.fromEntries(fs.map((f) => [f.name, f.input.multiple ? [...f.input.selectedOptions].map((o) => o.value) : f.input.value.trim()]));
    const missing = fs.find((f) => f.input.required && !v[f.name]);
    if (missing) { missing.setError(missing.missing || t('v.required')); missing.input.focus(); return; }
    btn.disabled = true;
    msg(out, '', '');
    try {
      const r = await onSubmit(v);
      if (r !== false) { msg(out, 'ok', typeof r === 'string' ? r : t('done')); if (r instanceof Node) out.append(' ', r); }
    }
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
    form('program-form', [{ name: 'name', label: t('admin.name'), input: input({ id: 'program-name' }) }, { name: 'currency', label: t('admin.currency'), input: input({ id: 'program-currency', maxlength: '8', placeholder: 'USD' }) },
      { name: 'decimals', label: t('admin.decimals'), input: input({ id: 'program-decimals', type: 'number', min: '0', max: '6', value: '2' }) }],
    t('admin.create_program'), async (v) => {
      const r = await api('/api/v1/programs', { method: 'POST', once: true, body: { name: v.name, currency: v.currency.toUpperCase(), decimals: Number(v.decimals) } });
      load(); return t('admin.created', { name: r.name });
    }), list);
  async function load() {
    try {
      const ps = await listAll('/api/v1/programs', 'programs');
      const details = await Promise.all(ps.map((p) => api('/api/v1/programs/' + encodeURIComponent(p.id)).catch(() => p)));
      const statsOf = (p) => { const tot = p.totals || {}; return h('div', { class: 'stats' }, ['funded', 'allocated', 'redeemed', 'settled', 'expired', 'outstanding'].map((k) =>
        h('div', { class: 'stat', 'data-key': k, 'data-minor': tot[k] ?? 0 }, h('div', { class: 'muted', text: t('tr.' + k) }), h('div', { class: 'v', text: wrappable(money(tot[k], p)) })))); };
      clear(list, details.map((p) => {
        const amount = h('input', { inputmode: 'decimal', required: true, class: 'fund-amount' });
        const donor = h('input', { required: true, class: 'fund-donor' });
        let stats = statsOf(p);
        const closed = p.status === 'closed';
        const toggle = h('button', { type: 'button', class: closed ? 'secondary' : 'danger', text: closed ? t('admin.reopen') : t('admin.close'), on: { click: async () => {
          if (!closed && !await confirmDialog(t('admin.close_confirm', { name: p.name }), t('admin.close'), t('cancel'))) return;
          await api(`/api/v1/programs/${encodeURIComponent(p.id)}/${closed ? 'reopen' : 'close'}`, { method: 'POST', once: true }).then(load, (e) => alertErr(list, e));
        } } });
        return h('section', { class: 'card', 'data-program': p.id }, h('h2', {}, p.name + ' (' + p.currency + ') ', statusBadge(p.status)),
          h('p', { class: 'muted mono', text: t('admin.chain_program', { id: p.chain_program_id ?? '' }) }),
          stats,
          form('fund-' + p.id, [{ name: 'amount', label: t('admin.amount', { c: p.currency }), input: amount }, { name: 'donor', label: t('admin.donor'), input: donor }],
            t('admin.fund'), async (v) => {
              const a = parseMajor(v.amount, currencyDecimals(p.currency, p.decimals));
              if (a === null) throw { field: 'amount', code: 'invalid_amount' };
              // A funding is public on chain at once and cannot be taken back: the admin reads
              // the amount as it will be recorded (5,000,000.000 is not 5,000.000) before it goes.
              if (!await confirmDialog(t('admin.fund_confirm', { amount: money(a, p), program: p.name, donor: v.donor }), t('admin.fund'), t('cancel'), false)) return false;
              const r = await api(`/api/v1/programs/${encodeURIComponent(p.id)}/fundings`, { method: 'POST', once: true, body: { amount: a, donor: v.donor } });
              // Totals come from indexed chain events: refresh until the funding shows (bounded).
              const was = stats.querySelector('[data-key="funded"]').dataset.minor;
              (async () => {
                for (let i = 0; i < 40 && stats.isConnected; i++) {
                  await new Promise((res) => setTimeout(res, 1500));
                  const np = await api('/api/v1/programs/' + encodeURIComponent(p.id)).catch(() => null);
                  if (!np || !stats.isConnected) continue;
                  const ns = statsOf(np); stats.replaceWith(ns); stats = ns;
                  if (String(np.totals?.funded ?? 0) !== was) break;
                }
              })();
              return txHash(r.tx_hash);
            }),
          h('div', { class: 'row' }, toggle, h('button', { type: 'button', class: 'secondary program-rename', text: t('admin.rename'), on: { click: async () => {
            const done = await formDialog({
              title: t('admin.rename_program', { name: p.name }), ok: t('account.save'), cancel: t('cancel'), errorText,
              fields: [{ name: 'name', label: t('admin.name'), input: h('input', { id: 'program-rename-name', required: true, value: p.name }), hint: t('admin.rename_hint') }],
              submit: (body) => api('/api/v1/programs/' + encodeURIComponent(p.id), { method: 'PATCH', body }),
            });
            if (done) load();
          } } })));
      }));
    } catch (e) { clear(list); const o = h('div'); list.append(o); msg(o, 'error', errorText(e)); }
  }
  load();
}

async function vendors(panel) {
  current = 'vendors';
  const list = h('div', {}, t('loading'));
  const cats = h('select', { id: 'vendor-categories', multiple: true, size: '4' }, CATEGORIES.map((c) => h('option', { value: c, text: t('cat.' + c) })));
  panel.append(h('h1', { text: t('admin.vendors') }),
    form('vendor-form', [{ name: 'name', label: t('admin.name'), input: input({ id: 'vendor-name' }) }, { name: 'location', label: t('field.location'), input: input({ id: 'vendor-location' }) },
      { name: 'categories', label: t('admin.categories'), input: cats, hint: t('admin.multi_hint') }],
    t('admin.create_vendor'), async (v) => { const r = await api('/api/v1/vendors', { method: 'POST', once: true, body: v }); load(); return t('admin.created', { name: r.name }); }), list);
  async function load() {
    try {
      const vs = await listAll('/api/v1/vendors', 'vendors');
      clear(list, table([t('admin.name'), t('field.location'), t('admin.address'), t('status'), ''], vs.map((v) => h('tr', {},
        h('td', { text: v.name }), h('td', { text: v.location || '' }), h('td', { class: 'mono', text: v.address || '' }), h('td', {}, statusBadge(v.status)),
        h('td', {}, h('div', { class: 'row' }, h('button', { type: 'button', class: v.status === 'suspended' ? 'secondary' : 'danger', text: v.status === 'suspended' ? t('enroll.reinstate') : t('enroll.suspend'),
          on: { click: async () => {
            const act = v.status === 'suspended' ? 'reinstate' : 'suspend';
            if (act === 'suspend' && !await confirmDialog(t('admin.suspend_vendor', { name: v.name }), t('enroll.suspend'), t('cancel'))) return;
            await api(`/api/v1/vendors/${encodeURIComponent(v.id)}/${act}`, { method: 'POST', once: true }).catch((e) => alertErr(list, e)); load();
          } } }),
        h('button', { type: 'button', class: 'secondary vendor-edit', 'data-vendor': v.id, text: t('admin.edit'), on: { click: () => edit(v) } })))))));
    } catch (e) { alertErr(list, e); }
  }
  async function edit(v) { if (await editVendor(v)) load(); }
  load();
}

// editVendor corrects a vendor's record (off chain: the chain knows the shop by its address only).
async function editVendor(v) {
  const cats = h('select', { id: 'vendor-edit-categories', multiple: true, size: '4' },
    CATEGORIES.map((c) => h('option', { value: c, text: t('cat.' + c), selected: (v.categories || []).includes(c) })));
  return formDialog({
    title: t('admin.edit_vendor', { name: v.name }), ok: t('account.save'), cancel: t('cancel'), errorText,
    fields: [{ name: 'name', label: t('admin.name'), input: h('input', { id: 'vendor-edit-name', required: true, value: v.name }) },
      { name: 'location', label: t('field.location'), input: h('input', { id: 'vendor-edit-location', value: v.location || '' }) },
      { name: 'categories', label: t('admin.categories'), input: cats, hint: t('admin.edit_vendor_hint') }],
    submit: (body) => api('/api/v1/vendors/' + encodeURIComponent(v.id), { method: 'PATCH', body }),
  });
}

function alertErr(box, e) { const o = h('div'); box.prepend(o); msg(o, 'error', errorText(e)); }

async function users(panel) {
  current = 'users';
  const list = h('div', {}, t('loading'));
  // No role is given by default: a user created without a look at this select would otherwise
  // have been a full admin.
  const role = h('select', { id: 'user-role', required: true }, h('option', { value: '', text: t('admin.choose_role'), selected: true }),
    ['admin', 'aidworker', 'vendor', 'donor'].map((r) => h('option', { value: r, text: t('role.' + r) })));
  const vendorSel = h('select', { id: 'user-vendor' }, h('option', { value: '', text: '—' }));
  const vendorsP = listAll('/api/v1/vendors', 'vendors').catch(() => []);
  vendorsP.then((vs) => vendorSel.append(...vs.map((v) => h('option', { value: v.id, text: v.name }))));
  panel.append(h('h1', { text: t('admin.users') }),
    form('user-form', [{ name: 'email', label: t('login.email'), input: input({ id: 'user-email', type: 'email', autocomplete: 'off' }) },
      { name: 'password', label: t('login.password'), input: input({ id: 'user-password', type: 'password', autocomplete: 'new-password', minlength: '10' }) },
      { name: 'role', label: t('admin.role'), input: role, missing: t('admin.choose_role_error') }, { name: 'vendor_id', label: t('admin.vendor_link'), input: vendorSel, hint: t('admin.vendor_hint') }],
    t('admin.create_user'), async (v) => {
      const body = { email: v.email, password: v.password, role: v.role };
      if (v.role === 'vendor') body.vendor_id = v.vendor_id;
      await api('/api/v1/users', { method: 'POST', once: true, body }); load(); return t('admin.created', { name: v.email });
    }), list);
  async function load() {
    try {
      const us = (await api('/api/v1/users')).users || [];
      const me = currentUser()?.id;
      const shop = new Map((await vendorsP).map((v) => [v.id, v.name]));
      clear(list, table([t('login.email'), t('admin.role'), t('admin.vendor_link'), t('status'), ''], us.map((u) => h('tr', { 'data-user': u.id },
        h('td', { text: u.email }), h('td', { text: t('role.' + u.role) }), h('td', { text: shop.get(u.vendor_id) || u.vendor_id || '' }),
        h('td', {}, statusBadge(u.disabled ? 'disabled' : 'active')),
        h('td', {}, u.id === me ? h('span', { class: 'muted', text: t('admin.you') }) : h('div', { class: 'row' },
          h('button', { type: 'button', class: u.disabled ? 'secondary user-toggle' : 'danger user-toggle', text: u.disabled ? t('admin.enable') : t('admin.disable'), on: { click: () => toggle(u) } }),
          h('button', { type: 'button', class: 'secondary user-password', text: t('admin.set_password'), on: { click: () => setPassword(u) } })))))));
    } catch (e) { alertErr(list, e); }
  }
  // A disable ends the user's sessions at once: a lost phone or a departed worker's laptop stops working now.
  async function toggle(u) {
    if (!u.disabled && !await confirmDialog(t('admin.disable_confirm', { name: u.email }), t('admin.disable'), t('cancel'))) return;
    try { await api(`/api/v1/users/${encodeURIComponent(u.id)}/${u.disabled ? 'enable' : 'disable'}`, { method: 'POST' }); load(); } catch (e) { alertErr(list, e); }
  }
  async function setPassword(u) {
    const pw = (id) => h('input', { type: 'password', id, autocomplete: 'new-password', required: true });
    const done = await formDialog({
      title: t('admin.set_password_title', { name: u.email }), ok: t('account.save'), cancel: t('cancel'), errorText,
      fields: [{ name: 'next', label: t('account.new'), input: pw('user-new-password'), hint: t('admin.set_password_hint') },
        { name: 'again', label: t('account.repeat'), input: pw('user-new-password-again') }],
      submit: async (v) => {
        checkNewPassword(v);
        await api(`/api/v1/users/${encodeURIComponent(u.id)}/password`, { method: 'POST', body: { password: v.next } })
          .catch((e) => { throw Object.assign(e, { field: e.field === 'password' ? 'next' : e.field }); });
        return true;
      },
    });
    if (done) { const o = h('div', { id: 'user-password-set' }); list.prepend(o); msg(o, 'ok', t('admin.password_set', { name: u.email })); }
  }
  load();
}

async function settlements(panel) {
  current = 'settlements';
  const vendorSel = h('select', { required: true, id: 'settle-vendor' });
  const programSel = h('select', { required: true, id: 'settle-program' });
  const amount = input({ inputmode: 'decimal', id: 'settle-amount' });
  const stmt = h('div', { id: 'statement' });
  let vs = [], ps = [];
  try { [vs, ps] = await Promise.all([listAll('/api/v1/vendors', 'vendors'), listAll('/api/v1/programs', 'programs')]); } catch (e) { alertErr(panel, e); }
  const progOf = (id) => ps.find((p) => p.id === id);
  vendorSel.append(...vs.map((v) => h('option', { value: v.id, text: v.name })));
  programSel.append(...ps.map((p) => h('option', { value: p.id, text: `${p.name} (${p.currency})` })));
  const showStatement = async () => {
    if (!vendorSel.value) return;
    const path = `/api/v1/vendors/${encodeURIComponent(vendorSel.value)}/statement`;
    try {
      const r = await api(path);
      // A statement spans programs (currencies): one row per program, amounts in that program's currency.
      const positions = r.programs || [];
      const owed = positions.find((x) => x.unsettled > 0);
      if (owed && !positions.some((x) => x.program_id === programSel.value && x.unsettled > 0)) programSel.value = owed.program_id;
      const m = (x, pid) => { const p = positions.find((q) => q.program_id === pid) || progOf(pid) || {}; return p.currency ? money(x, p) : fmtNumber(x ?? 0); };
      clear(stmt,
        positions.length ? table([t('tr.program'), t('vendor.redeemed'), t('admin.paid_to_shop'), t('admin.owed_to_shop')], positions.map((x) =>
          h('tr', { 'data-program': x.program_id }, h('td', { text: progOf(x.program_id)?.name || x.currency }), h('td', { class: 'num', text: money(x.redeemed, x) }),
            h('td', { class: 'num', text: money(x.settled, x) }), h('td', { class: 'num unsettled', 'data-minor': x.unsettled, text: money(x.unsettled, x) }))))
          : h('p', { class: 'muted', text: t('vendor.no_sales') }),
        h('button', { type: 'button', class: 'secondary', id: 'statement-csv', text: t('download_csv'), on: { click: async () => {
          try { download('statement.csv', await fetchText(path + '?format=csv')); } catch (e) { alertErr(stmt, e); }
        } } }),
        (r.settlements || []).length ? h('h3', { text: t('admin.settlements') }) : null,
        (r.settlements || []).length ? table([t('vendor.time'), t('tr.program'), t('vendor.amount'), t('admin.reference'), t('status'), t('tx.hash')], r.settlements.map((s) =>
          h('tr', { 'data-settlement': s.id }, h('td', { text: fmtDate(s.created_at) }), h('td', { text: progOf(s.program_id)?.name || '' }),
            h('td', { class: 'num', text: m(s.amount, s.program_id) }),
            h('td', {}, s.reference || '', s.reverses_id ? h('div', { class: 'muted', text: t('admin.reversal') + (s.note ? ': ' + s.note : '') }) : null),
            h('td', {}, statusBadge(s.status), reverseButton(s, r.settlements, progOf(s.program_id), showStatement)), h('td', {}, txHash(s.tx_hash))))) : null);
    } catch (e) { clear(stmt); alertErr(stmt, e); }
  };
  vendorSel.addEventListener('change', showStatement);
  panel.append(h('h1', { text: t('admin.settlements') }),
    form('settle-form', [{ name: 'vendor_id', label: t('admin.vendor_link'), input: vendorSel }, { name: 'program_id', label: t('tr.program'), input: programSel },
      { name: 'amount', label: t('vendor.amount'), input: amount, hint: t('admin.amount_major_hint') },
      { name: 'reference', label: t('admin.reference'), input: input({ id: 'settle-reference' }) }],
    t('admin.settle'), async (v) => {
      const p = progOf(v.program_id);
      const a = p ? parseMajor(v.amount, currencyDecimals(p.currency, p.decimals)) : null;
      if (a === null) throw { field: 'amount', code: 'invalid_amount' };
      const r = await api('/api/v1/settlements', { method: 'POST', once: true, body: { vendor_id: v.vendor_id, program_id: v.program_id, amount: a, reference: v.reference } });
      showStatement(); return txHash(r.tx_hash);
    }), h('h2', { text: t('vendor.statement') }), stmt);
  showStatement();
}

// reverseButton takes back what is left of a confirmed settlement (a payout recorded with the
// wrong amount, for the wrong shop, or paid back); none for a reversal or what is all taken back.
function reverseButton(s, all, p, done) {
  if (s.reverses_id || s.status !== 'confirmed' || !p) return null;
  const left = Number(s.amount) + all.filter((x) => x.reverses_id === s.id && x.status !== 'failed').reduce((n, x) => n + Number(x.amount), 0);
  if (left <= 0) return null;
  const d = currencyDecimals(p.currency, p.decimals);
  return h('button', { type: 'button', class: 'secondary reverse', text: t('admin.reverse'), on: { click: async () => {
    const amount = input({ inputmode: 'decimal', id: 'reverse-amount', value: (left / 10 ** d).toFixed(d) });
    const r = await formDialog({
      title: t('admin.reverse_title', { ref: s.reference, amount: fmtMoney(s.amount, p.currency, d) }), ok: t('admin.reverse'), cancel: t('cancel'), errorText,
      fields: [{ name: 'amount', label: t('vendor.amount') + ' (' + p.currency + ')', input: amount, hint: t('admin.reverse_hint', { amount: fmtMoney(left, p.currency, d) }) },
        { name: 'note', label: t('refund.note'), input: h('input', { type: 'text', id: 'reverse-note', maxlength: 200 }) }],
      submit: async (v) => {
        const a = parseMajor(v.amount, d);
        if (a === null) throw { field: 'amount', code: 'invalid_amount' };
        const body = { amount: a };
        if (v.note.trim()) body.note = v.note.trim();
        return api('/api/v1/settlements/' + encodeURIComponent(s.id) + '/reversals', { method: 'POST', once: true, body });
      },
    });
    if (r) done();
  } } });
}

async function reconciliation(panel) {
  current = 'reconciliation';
  const box = h('div', { id: 'reconciliation' }, t('loading'));
  panel.append(h('h1', { text: t('admin.reconciliation') }), box,
    h('button', { type: 'button', class: 'secondary', text: t('refresh'), on: { click: () => { clear(panel); reconciliation(panel); } } }));
  try {
    const r = await api('/api/v1/admin/reconciliation');
    // {checked_at, as_of_block, confirmed_redemptions, redeemed_events, missing_events, unknown_events, duplicate_events,
    //  confirmed_refunds, refunded_events, …_refund_events, confirmed_settlements, settlement_events, …_settlement_events, ok}
    const ids = (list) => ((list || []).length ? h('ul', {}, list.map((x) => h('li', { class: 'mono', text: x }))) : '0');
    clear(box, h('div', { class: 'msg ' + (r.ok ? 'ok' : 'error'), id: 'recon-result', 'data-ok': String(!!r.ok), role: r.ok ? 'status' : 'alert', text: r.ok ? t('admin.recon_ok') : t('admin.recon_bad') }),
      h('div', { class: 'card' }, h('dl', { class: 'kv' },
        h('dt', { text: t('admin.recon_checked') }), h('dd', { text: fmtDate(r.checked_at) }),
        h('dt', { text: t('tx.block') }), h('dd', { text: fmtNumber(r.as_of_block ?? 0) }),
        h('dt', { text: t('admin.recon_confirmed') }), h('dd', { text: fmtNumber(r.confirmed_redemptions ?? 0) }),
        h('dt', { text: t('admin.recon_events') }), h('dd', { text: fmtNumber(r.redeemed_events ?? 0) }),
        h('dt', { text: t('admin.recon_missing') }), h('dd', {}, ids(r.missing_events)),
        h('dt', { text: t('admin.recon_unknown') }), h('dd', {}, ids(r.unknown_events)),
        h('dt', { text: t('admin.recon_duplicate') }), h('dd', {}, ids(r.duplicate_events)),
        // Refunds, settlements and reversals: confirmed / on chain, then any that do not match.
        ...[['refunds', r.confirmed_refunds, r.refunded_events, r.missing_refund_events, r.unknown_refund_events],
          ['settlements', r.confirmed_settlements, r.settlement_events, r.missing_settlement_events, r.unknown_settlement_events]]
          .flatMap(([k, rows, evs, missing, unknown]) => [h('dt', { text: t('admin.recon_' + k) }), h('dd', { id: 'recon-' + k },
            fmtNumber(rows ?? 0) + ' / ' + fmtNumber(evs ?? 0), [...(missing || []), ...(unknown || [])].length ? ids([...(missing || []), ...(unknown || [])]) : null)]))));
  } catch (e) { clear(box); alertErr(box, e); }
}

// activity is the audit log: who did what to which record, newest first, one person's or everyone's.
async function activity(panel) {
  current = 'audit';
  const who = h('select', { id: 'audit-actor' }, h('option', { value: '', text: t('audit.everyone') }));
  const list = h('div', { id: 'audit' }, t('loading'));
  const more = h('button', { type: 'button', class: 'secondary', id: 'audit-more', hidden: true, text: t('audit.older') });
  const csv = h('button', { type: 'button', class: 'secondary', id: 'audit-csv', text: t('download_csv'), on: { click: async () => {
    try { download('audit.csv', await fetchText('/api/v1/admin/audit?format=csv' + (who.value ? '&actor=' + encodeURIComponent(who.value) : ''))); } catch (e) { alertErr(list, e); }
  } } });
  panel.append(h('h1', { text: t('admin.audit') }), h('p', { class: 'muted', text: t('audit.intro') }), field(t('audit.who'), who), csv, list, more);
  let users = [];
  try { users = (await api('/api/v1/users')).users || []; } catch (e) { alertErr(panel, e); }
  const email = new Map(users.map((u) => [u.id, u.email]));
  email.set('cli', t('audit.cli'));
  email.set('server', t('audit.server'));
  who.append(...users.map((u) => h('option', { value: u.id, text: u.email })));
  let after = '';
  const rows = h('tbody');
  const label = (a) => { const s = t('audit.' + a); return s === 'audit.' + a ? a : s; };
  async function page() {
    const q = new URLSearchParams({ limit: '100' });
    if (who.value) q.set('actor', who.value);
    if (after) q.set('after', after);
    try {
      const r = await api('/api/v1/admin/audit?' + q);
      rows.append(...(r.events || []).map((e) => h('tr', { 'data-action': e.action, 'data-subject': e.subject || '' },
        h('td', { text: fmtDate(e.at) }), h('td', { text: email.get(e.actor) || e.actor }), h('td', { text: label(e.action) }),
        h('td', { class: email.has(e.subject) ? '' : 'mono', text: email.get(e.subject) || e.subject || '' }), h('td', { text: e.detail || '' }))));
      after = r.next_after || '';
      more.hidden = !after;
      if (!rows.children.length) clear(list, h('p', { class: 'muted', text: t('audit.none') }));
    } catch (e) { alertErr(list, e); }
  }
  const restart = () => {
    after = ''; rows.replaceChildren();
    clear(list, h('div', { class: 'table-wrap' }, h('table', {}, h('thead', {}, h('tr', {}, [t('vendor.time'), t('audit.who'), t('audit.action'), t('audit.record'), t('audit.detail')].map((c) => h('th', { scope: 'col', text: c })))), rows)));
    page();
  };
  who.addEventListener('change', restart);
  more.addEventListener('click', page);
  restart();
}

// backups lists the archives the server wrote (on its schedule or when asked here) and writes one
// now. The archive stays on the server: it holds the keys to every beneficiary's data, so it is
// copied off the machine by whoever runs it, not downloaded into a browser.
async function backups(panel) {
  current = 'backups';
  const list = h('div', { id: 'backups' }, t('loading'));
  const out = h('div', { class: 'msg', id: 'backup-msg' });
  const now = h('button', { type: 'button', id: 'backup-now', text: t('backup.now') });
  panel.append(h('h1', { text: t('admin.backups') }), h('p', { class: 'muted', text: t('backup.intro') }), now, out, list,
    h('h2', { text: t('backup.restore') }), h('p', { text: t('backup.restore_how') }),
    h('pre', { class: 'mono', text: 'aidledger restore --from aidledger-….tar.gz --data-dir ./restored\naidledger serve --data-dir ./restored' }));
  let timer = 0;
  async function load() {
    clearTimeout(timer);
    try {
      const r = await api('/api/v1/admin/backups');
      const running = r.backups.some((b) => b.status === 'running');
      now.disabled = running;
      const failed = r.last_failure ? h('div', { class: 'msg error', role: 'alert', id: 'backup-failed', text: t('backup.failed', { time: fmtDate(r.last_failure.started_at), error: r.last_failure.error }) }) : '';
      clear(list, failed, h('p', { class: 'muted' }, t('backup.dir') + ' ', h('code', { class: 'mono', text: r.dir })),
        r.backups.length ? table([t('vendor.time'), t('tx.block'), t('backup.size'), t('status'), t('backup.file')], r.backups.map((b) => h('tr', { 'data-backup': b.name, 'data-status': b.status },
          h('td', { text: fmtDate(b.started_at) }), h('td', { text: b.manifest?.chain_head != null ? fmtNumber(b.manifest.chain_head) : '' }),
          h('td', { text: b.size_bytes ? fmtNumber(Math.max(1, Math.round(b.size_bytes / 1048576))) + ' MB' : '' }),
          h('td', {}, statusBadge(b.status)), h('td', { class: 'mono', text: b.name }))))
          : h('p', { class: 'muted', text: t('backup.none') }));
      if (running && current === 'backups') timer = setTimeout(load, 2000);
    } catch (e) { clear(list); alertErr(list, e); }
  }
  now.addEventListener('click', async () => {
    now.disabled = true;
    try { await api('/api/v1/admin/backups', { method: 'POST', once: true }); msg(out, 'ok', t('backup.started')); }
    catch (e) { msg(out, 'error', errorText(e)); }
    load();
  });
  load();
}

startApp({ titleKey: 'app.admin', roles: ['admin'], render: (m) => { main = m; draw(); } });
