// The imports of /enroll: their cards printed a batch at a time, eight to an A4 page at
// the size of a bank card, the list of recent imports to print them from, and stopping one.
import { h, clear, msg, field, confirmDialog } from './dom.js';
import { t, fmtNumber, fmtDate } from './i18n.js';
import { api, blobURL } from './api.js';
import { errorText, statusBadge } from './shell.js';

const CARDS_PER_BATCH = 96; // twelve A4 pages of eight cards

// printCards shows the cards an import enrolled a batch at a time, eight to an A4 page at the
// size of a bank card, so a whole file's cards print without opening each person's page; a
// batch can start at any card, to take up again where the printer stopped. Each card fetched
// is in the audit log (beneficiary.card), as one printed from a person's page is.
export function printCards(panel, importId, back) {
  const base = '/api/v1/beneficiaries/imports/' + encodeURIComponent(importId) + '/cards';
  const out = h('div', { class: 'msg noprint', id: 'cards-msg' });
  const status = h('p', { class: 'noprint', id: 'cards-status', role: 'status', 'aria-live': 'polite' });
  const sheet = h('div', { class: 'print-area card-sheet', id: 'card-sheet' });
  const button = (id, text, click, cls = 'secondary') => h('button', { type: 'button', class: cls, id, text, disabled: true, on: { click } });
  let first = 1, total = 0, urls = [];
  const prev = button('cards-prev', t('enroll.cards_prev'), () => show(Math.max(1, first - CARDS_PER_BATCH)));
  const next = button('cards-next', t('enroll.cards_next'), () => show(first + CARDS_PER_BATCH));
  const print = button('cards-print', t('enroll.cards_print'), () => window.print(), '');
  const from = h('input', { id: 'cards-from', type: 'number', min: '1', inputmode: 'numeric', value: '1' });
  const go = h('form', { class: 'row noprint', novalidate: true }, field(t('enroll.cards_from'), from), h('button', { type: 'submit', class: 'secondary', id: 'cards-go', text: t('enroll.cards_go') }));
  go.addEventListener('submit', (ev) => { ev.preventDefault(); const n = Math.floor(+from.value); if (n >= 1) show(n); });
  async function show(at) {
    [prev, next, print].forEach((b) => { b.disabled = true; });
    urls.forEach((u) => URL.revokeObjectURL(u));
    urls = [];
    clear(sheet, t('loading'));
    msg(out, '', '');
    try {
      const p = await api(`${base}?from=${at}&limit=${CARDS_PER_BATCH}`);
      const cards = p.cards || [];
      const imgs = new Array(cards.length);
      let k = 0;
      await Promise.all([0, 1, 2, 3].map(async () => {
        while (k < cards.length) {
          const j = k++;
          const url = await blobURL('/api/v1/beneficiaries/' + encodeURIComponent(cards[j].id) + '/card');
          urls.push(url);
          imgs[j] = h('img', { src: url, 'data-card': cards[j].card_number, alt: t('enroll.card_alt', { card: cards[j].card_number }) });
        }
      }));
      await Promise.all(imgs.map((img) => img.decode().catch(() => {})));
      const pages = [];
      for (let j = 0; j < imgs.length; j += 8) pages.push(h('div', { class: 'sheet-page' }, imgs.slice(j, j + 8)));
      clear(sheet, ...pages);
      first = at; total = p.total || 0; from.value = String(at);
      status.textContent = cards.length ? t('enroll.cards_batch', { from: fmtNumber(at), to: fmtNumber(at + cards.length - 1), total: fmtNumber(total) }) : t('enroll.cards_none', { total: fmtNumber(total) });
      print.disabled = !cards.length;
    } catch (e) { clear(sheet); msg(out, 'error', errorText(e)); }
    prev.disabled = first <= 1; next.disabled = first + CARDS_PER_BATCH > total;
  }
  panel.append(h('h1', { class: 'noprint', text: t('enroll.cards_title') }),
    h('div', { class: 'row noprint' }, h('button', { type: 'button', class: 'secondary', id: 'cards-back', text: t('back'), on: { click: () => { urls.forEach((u) => URL.revokeObjectURL(u)); back(); } } }), prev, next, print),
    go, status, out, sheet);
  show(1);
}

// recentImports lists the latest imports, each with its cards to print: an aid worker comes
// back to a file days later to print the rest of it.
export function recentImports(panel, back) {
  const box = h('div', { id: 'imports' }, t('loading'));
  api('/api/v1/beneficiaries/imports').then((r) => {
    const ims = r.imports || [];
    clear(box, ims.length ? h('div', { class: 'table-wrap' }, h('table', {},
      h('thead', {}, h('tr', {}, [t('vendor.time'), t('enroll.rows'), t('enroll.enrolled'), t('status'), ''].map((c) => h('th', { scope: 'col', text: c })))),
      h('tbody', {}, ims.map((im) => h('tr', { 'data-import': im.id }, h('td', { text: fmtDate(im.created_at) }),
        h('td', { class: 'num', text: fmtNumber(im.total || 0) }), h('td', { class: 'num', text: fmtNumber(im.created || 0) }), h('td', {}, statusBadge(im.status)),
        h('td', {}, h('div', { class: 'row' }, im.created > 0 ? h('button', { type: 'button', class: 'secondary', 'data-action': 'print', text: t('enroll.print_cards', { n: fmtNumber(im.created) }),
          on: { click: () => { clear(panel); printCards(panel, im.id, back); } } }) : null,
        im.status === 'running' ? h('button', { type: 'button', class: 'danger', 'data-action': 'stop', text: t('enroll.import_stop'), on: { click: async () => {
          try { if (await stopImport(im.id)) back(); } catch (e) { msg(box, 'error', errorText(e)); }
        } } }) : null)))))))
      : h('p', { class: 'muted', text: t('enroll.no_imports') }));
  }, (e) => { clear(box); msg(box, 'error', errorText(e)); });
  return box;
}

// stopImport asks, then stops a running import (the wrong file); false if the aid worker said no.
export async function stopImport(id) {
  if (!await confirmDialog(t('enroll.import_stop_confirm'), t('enroll.import_stop'), t('cancel'), true)) return false;
  await api('/api/v1/beneficiaries/imports/' + encodeURIComponent(id) + '/stop', { method: 'POST', once: true });
  return true;
}
