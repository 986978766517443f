// /transparency: public, no login. Per program funded → allocated → redeemed → settled, spending
// over time, by vendor, category and location, the block the figures are as of, and how to
// verify them against the chain. Live: the server-sent event stream triggers a re-fetch.
import { h, clear, msg, download } from './dom.js';
import { t, fmtMoney, fmtNumber, fmtDay, fmtDate, currencyDecimals, majorString, locale, wrappable } from './i18n.js';
import { api, currentUser, fetchText } from './api.js';
import { startApp, errorText, txHash } from './shell.js';

const GROUPS = ['day', 'vendor', 'category', 'location'];
// txs: the transactions listed, newest first (null: not allowed to see them); txNext: the cursor of
// the older ones; txPaged: older pages were loaded, so a live refresh leaves the list as it is.
const S = { summary: null, programId: null, reports: {}, sort: {}, live: false, txs: null, txTotal: 0, txNext: null, txPaged: false };
let main, showLogin, charts = [], chartLoad = null;

const prog = () => S.summary?.programs?.find((p) => p.id === S.programId);
// kindLabel names a transaction's kind in the reader's language; a kind this page does not know
// yet (a newer server) shows as the server sent it.
const kindLabel = (k) => { const s = t('kind.' + k); return s === 'kind.' + k ? k : s; };
const money = (v, p = prog()) => fmtMoney(v, p?.currency, currencyDecimals(p?.currency, p?.decimals));

async function load() {
  S.summary = await api('/api/v1/reports/summary', { auth: false });
  if (!S.programId || !prog()) { S.programId = S.summary.programs?.[0]?.id ?? null; S.txPaged = false; }
  await loadReports();
}

async function loadReports() {
  if (!S.programId) return;
  await Promise.all(GROUPS.map(async (g) => {
    const r = await api(`/api/v1/reports/programs/${encodeURIComponent(S.programId)}?group_by=${g}`, { auth: false });
    S.reports[g] = r.rows || [];
  }));
  if (S.txPaged && S.txs) return;
  const u = currentUser();
  S.txs = null;
  if (u && (u.role === 'donor' || u.role === 'admin')) {
    const r = await api(`/api/v1/reports/transactions?program_id=${encodeURIComponent(S.programId)}&page=1`).catch(() => null);
    setTxs(r, []);
  }
}

function setTxs(r, before) {
  S.txs = r ? before.concat(r.transactions || []) : null;
  S.txTotal = r?.total ?? 0;
  S.txNext = r?.next_after || null;
}

// olderTxs appends the next page, by cursor: new transactions arriving meanwhile neither shift
// it nor repeat a row.
async function olderTxs(btn, note) {
  btn.disabled = true;
  try {
    const r = await api(`/api/v1/reports/transactions?program_id=${encodeURIComponent(S.programId)}&after=${encodeURIComponent(S.txNext)}`);
    setTxs(r, S.txs);
    S.txPaged = true;
    document.getElementById('transactions')?.replaceWith(transactionsSection(prog()));
  } catch (e) {
    btn.disabled = false;
    msg(note, 'error', errorText(e));
  }
}

function draw() {
  charts.forEach((c) => c.destroy()); charts = [];
  clear(main);
  const s = S.summary;
  const liveEl = h('p', { class: 'live' + (S.live ? '' : ' off'), id: 'live', role: 'status', text: S.live ? t('tr.live') : t('tr.not_live') });
  main.append(h('h1', { text: t('tr.title') }), h('p', { text: t('tr.intro') }),
    h('div', { class: 'row' }, h('p', { id: 'as-of', 'data-block': s?.as_of_block ?? '', text: t('tr.as_of', { block: fmtNumber(s?.as_of_block ?? 0) }) }), liveEl));
  if (!s) return;
  // Every program's totals, funnel-shaped.
  for (const p of s.programs || []) main.append(programCard(p));
  if (!(s.programs || []).length) main.append(h('p', { text: t('tr.no_programs') }));
  const p = prog();
  if (p) {
    const sel = h('select', { id: 'program-select' }, s.programs.map((x) => h('option', { value: x.id, text: x.name, selected: x.id === p.id })));
    sel.addEventListener('change', async () => { S.programId = sel.value; S.txPaged = false; await loadReports().catch(() => {}); draw(); });
    main.append(h('h2', { text: t('tr.details') }), h('label', { for: 'program-select', text: t('tr.program') }), sel);
    for (const g of GROUPS) main.append(reportSection(g, p));
    main.append(transactionsSection(p));
  }
  main.append(verifySection(s));
}

function programCard(p) {
  const steps = ['funded', 'allocated', 'redeemed', 'settled'];
  const max = Math.max(1, ...steps.map((k) => Number(p[k] || 0)));
  return h('section', { class: 'card program', 'data-program': p.id, 'aria-label': p.name },
    h('h2', { text: p.name + ' (' + p.currency + ')' }),
    h('div', { class: 'funnel', role: 'list' }, steps.map((k, i) => {
      const fill = h('div', { class: 'fill s' + i });
      fill.style.inlineSize = (100 * Number(p[k] || 0) / max).toFixed(2) + '%'; // CSSOM: allowed by the CSP
      return h('div', { class: 'step', role: 'listitem' }, h('span', { text: t('tr.' + k) }),
        h('div', { class: 'track' }, fill, h('span', { class: 'val', 'data-key': k, 'data-minor': p[k] ?? 0, text: money(p[k] ?? 0, p) })));
    })),
    h('div', { class: 'stats' },
      [['outstanding', wrappable(money(p.outstanding ?? 0, p))], ['expired', wrappable(money(p.expired ?? 0, p))], ['refunded', wrappable(money(p.refunded ?? 0, p))], ['beneficiaries', fmtNumber(p.beneficiaries ?? 0)],
        ['vendors', fmtNumber(p.vendors ?? 0)], ['redemptions', fmtNumber(p.redemptions ?? 0)]]
        .map(([k, v]) => h('div', { class: 'stat' }, h('div', { class: 'muted', text: t('tr.' + k) }), h('div', { class: 'v', 'data-key': k, text: v })))));
}

function reportSection(g, p) {
  const rows = [...(S.reports[g] || [])];
  const sort = S.sort[g] || (g === 'day' ? { by: 'key', dir: 1 } : { by: 'amount', dir: -1 });
  rows.sort((a, b) => {
    const x = a[sort.by], y = b[sort.by];
    return (typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y))) * sort.dir;
  });
  const label = (r) => (g === 'day' ? fmtDay(r.key) : g === 'category' ? t('cat.' + r.key) : r.key);
  const th = (by, text, num) => {
    const active = sort.by === by;
    return h('th', { scope: 'col', class: num ? 'num' : '', 'aria-sort': active ? (sort.dir > 0 ? 'ascending' : 'descending') : 'none' },
      h('button', { type: 'button', class: 'sort', text: text + (active ? (sort.dir > 0 ? ' ▲' : ' ▼') : ''),
        on: { click: () => { S.sort[g] = { by, dir: active ? -sort.dir : (num ? -1 : 1) }; draw(); document.getElementById('report-' + g)?.scrollIntoView(); } } }));
  };
  const canvas = h('canvas', { role: 'img', 'aria-label': t('tr.chart_' + g) });
  const csv = `/api/v1/reports/programs/${encodeURIComponent(p.id)}?group_by=${g}&format=csv`;
  const sec = h('section', { class: 'card', id: 'report-' + g },
    h('h3', { text: t('tr.by_' + g) }),
    rows.length ? h('div', { class: 'chart-box' }, canvas) : h('p', { class: 'muted', text: t('tr.no_data') }),
    h('div', { class: 'table-wrap' }, h('table', {}, h('caption', { class: 'skip', text: t('tr.by_' + g) }),
      h('thead', {}, h('tr', {}, th('key', t('tr.col_' + g)), th('amount', t('tr.amount'), true), th('count', t('tr.count'), true))),
      h('tbody', {}, rows.map((r) => h('tr', {}, h('td', { text: label(r) }), h('td', { class: 'num money', text: wrappable(money(r.amount, p)) }), h('td', { class: 'num', text: fmtNumber(r.count) })))))),
    h('a', { class: 'button secondary', href: csv, download: `${g}.csv`, text: t('download_csv') }));
  if (rows.length) drawChart(canvas, g, g === 'day' ? rows : rows.slice(0, 12), label, p);
  return sec;
}

// Chart.js is loaded on first use (classic UMD script from /static/vendor: allowed by the CSP).
function drawChart(canvas, g, rows, label, p) {
  chartLoad ||= new Promise((resolve, reject) => {
    const s = h('script', { src: '/static/vendor/chartjs/chart.umd.min.js' });
    s.onload = resolve; s.onerror = reject; document.head.append(s);
  });
  chartLoad.then(() => {
    if (!canvas.isConnected) return;
    const dec = currencyDecimals(p.currency, p.decimals);
    const c = new window.Chart(canvas, {
      type: g === 'day' ? 'line' : 'bar',
      data: { labels: rows.map(label), datasets: [{ label: t('tr.amount') + ' (' + p.currency + ')', data: rows.map((r) => Number(majorString(r.amount, dec))), backgroundColor: '#1d6fb8', borderColor: '#0b4f8a', fill: false }] },
      options: { responsive: true, maintainAspectRatio: false, animation: false, locale: locale(), indexAxis: g === 'day' ? 'x' : 'y',
        scales: { x: { reverse: document.dir === 'rtl' && g === 'day' } }, plugins: { legend: { display: false } } },
    });
    charts.push(c);
  }).catch(() => {});
}

function transactionsSection(p) {
  const sec = h('section', { class: 'card', id: 'transactions' }, h('h2', { text: t('tr.transactions') }));
  if (S.txs === null) {
    sec.append(h('p', { class: 'muted', text: t('tr.tx_login') }),
      h('button', { type: 'button', class: 'secondary', id: 'donor-login', text: t('tr.login'), on: { click: () => showLogin(async () => { await loadReports().catch(() => {}); draw(); }) } }));
    return sec;
  }
  sec.append(h('div', { class: 'table-wrap' }, h('table', {},
    h('thead', {}, h('tr', {}, [t('vendor.time'), t('tr.kind'), t('tr.amount'), t('tx.block'), t('tx.hash')].map((c) => h('th', { scope: 'col', text: c })))),
    h('tbody', {}, S.txs.map((x) => h('tr', { 'data-pos': `${x.block_number}-${x.log_index}` }, h('td', { text: fmtDate(x.time || x.created_at || x.block_time) }), h('td', { class: 'kind', text: kindLabel(x.kind || x.type || x.event || '') }),
      h('td', { class: 'num', text: money(x.amount ?? 0, p) }), h('td', { class: 'num', text: x.block_number ?? '' }), h('td', {}, txHash(x.tx_hash))))))),
    h('p', { class: 'muted', id: 'tx-shown', text: t('tr.tx_shown', { n: fmtNumber(S.txs.length), total: fmtNumber(S.txTotal) }) }));
  const note = h('p');
  const older = S.txNext ? h('button', { type: 'button', class: 'secondary', id: 'tx-older', text: t('tr.older') }) : null;
  older?.addEventListener('click', () => olderTxs(older, note));
  // Every transaction of the program in one file, for an auditor's own tools.
  const csv = h('button', { type: 'button', class: 'secondary', id: 'tx-csv', text: t('download_csv'), on: { click: async () => {
    try {
      download(`transactions-${p.id}.csv`, await fetchText(`/api/v1/reports/transactions?program_id=${encodeURIComponent(p.id)}&format=csv`));
    } catch (e) { msg(note, 'error', errorText(e)); }
  } } });
  sec.append(h('div', { class: 'row' }, older, csv), note);
  return sec;
}

function verifySection(s) {
  const rpc = s.rpc_url || t('tr.rpc_placeholder');
  const cmd = `aidledger verify --eth-rpc ${rpc} --contract ${s.contract || ''} --api ${location.origin}`;
  return h('section', { class: 'card', id: 'verify' }, h('h2', { text: t('tr.verify') }), h('p', { text: t('tr.verify_intro') }),
    h('dl', { class: 'kv' }, h('dt', { text: t('tr.contract') }), h('dd', { class: 'mono', id: 'contract', text: s.contract || '' }),
      h('dt', { text: t('tr.chain_id') }), h('dd', { class: 'mono', text: String(s.chain_id ?? '') })),
    h('pre', { class: 'mono card', id: 'verify-cmd', tabindex: '0' }, h('code', { text: cmd })),
    h('p', { class: 'muted', text: t('tr.verify_rpc') }));
}

// live subscribes to the stream; EventSource reconnects by itself after a drop. Updates are
// coalesced so a burst of blocks costs one re-fetch.
function live() {
  if (!window.EventSource) return;
  let pending = null;
  const es = new EventSource('/api/v1/reports/stream');
  es.onopen = () => { S.live = true; setLive(); };
  es.onerror = () => { S.live = false; setLive(); };
  // The server sends named events ("event: indexed", data {"as_of_block": N}); onmessage would only
  // see unnamed ones, so listen to the name (and to unnamed messages, harmlessly).
  const onIndexed = (ev) => {
    let block = null;
    try { block = JSON.parse(ev.data).as_of_block; } catch { /* ignore */ }
    if (block !== null && block === S.summary?.as_of_block) return;
    clearTimeout(pending);
    pending = setTimeout(async () => { try { await load(); draw(); } catch { /* keep the old figures */ } }, 300);
  };
  es.addEventListener('indexed', onIndexed);
  es.addEventListener('message', onIndexed);
}
function setLive() {
  const el = document.getElementById('live');
  if (el) { el.className = 'live' + (S.live ? '' : ' off'); el.textContent = S.live ? t('tr.live') : t('tr.not_live'); }
}

startApp({ titleKey: 'app.transparency', publicApp: true, render: async (m, _u, login) => {
  main = m; showLogin = login;
  if (!S.summary) {
    clear(main, h('p', { text: t('loading') }));
    try { await load(); live(); } catch (e) { const out = h('div'); clear(main, out); msg(out, 'error', errorText(e)); return; }
  }
  draw();
} });
