// Giving a sale back to the card it was paid from: goods returned, an amount typed wrong. Shops
// refund their own sales; admins any. The ledger credits the card once the refund is confirmed,
// and takes it out of what the agency owes the shop.
//
// Money safety: one Idempotency-Key per dialog. A retry after no answer re-sends the same key
// with the same body, which the server answers with the first refund, never a second one; after
// such an error the amount and note are frozen, so that a retry cannot turn into another refund.
import { h, formDialog } from './dom.js';
import { t, fmtMoney, parseMajor } from './i18n.js';
import { api, newKey } from './api.js';
import { errorText } from './shell.js';

// refundable is what is left to give back of a sale; 0 unless it is confirmed.
export function refundable(sale) {
  return sale.status === 'confirmed' ? Number(sale.amount) - Number(sale.refunded || 0) : 0;
}

// majorText writes minor units as the plain decimal a person types ("7.00").
function majorText(minor, decimals) {
  if (!decimals) return String(minor);
  const s = String(minor).padStart(decimals + 1, '0');
  return s.slice(0, -decimals) + '.' + s.slice(-decimals);
}

// refundSale asks how much to give back of sale (a redemption as the API shows it) and sends it.
// money is {currency, decimals} of its program. It resolves to the refund, or null if cancelled.
export function refundSale(sale, money) {
  const left = refundable(sale);
  const fmt = (v) => fmtMoney(v, money.currency, money.decimals);
  const amount = h('input', { type: 'text', inputmode: 'decimal', autocomplete: 'off', id: 'refund-amount', value: majorText(left, money.decimals) });
  const note = h('input', { type: 'text', maxlength: 200, autocomplete: 'off', id: 'refund-note' });
  const key = newKey();
  return formDialog({
    title: t('refund.title', { amount: fmt(sale.amount) }),
    fields: [
      { name: 'amount', label: t('refund.amount') + ' (' + money.currency + ')', input: amount, hint: t('refund.left', { amount: fmt(left) }) },
      { name: 'note', label: t('refund.note'), input: note, hint: t('refund.note_hint') },
    ],
    ok: t('refund.ok'), cancel: t('cancel'), errorText,
    submit: async (v) => {
      const minor = parseMajor(v.amount, money.decimals);
      if (minor === null) throw { field: 'amount', code: 'refund_amount' };
      if (minor > left) throw { field: 'amount', code: 'exceeds_refundable' };
      const body = { amount: minor };
      if (v.note.trim()) body.note = v.note.trim();
      let r;
      try {
        r = await api(`/api/v1/redemptions/${encodeURIComponent(sale.id)}/refunds`, { method: 'POST', body, headers: { 'Idempotency-Key': key } });
      } catch (e) {
        if (e.network) { amount.readOnly = true; note.readOnly = true; }
        throw e;
      }
      // Refused on chain: nothing went back. This key now always answers so; a new dialog may try again.
      if (r.status === 'failed') throw { code: 'refund_failed' };
      return r;
    },
  });
}

// refundedNote is the line under a sale's amount once some of it was given back.
export function refundedNote(sale, fmt) {
  return Number(sale.refunded) > 0 ? h('div', { class: 'muted refunded', text: t('refund.refunded', { amount: fmt(sale.refunded) }) }) : null;
}
