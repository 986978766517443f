// A beneficiary's personal fields as aid workers type them: their checks (the server's, said at
// the field before sending) and the form that corrects an enrolled person's record.
import { h, msg, field } from './dom.js';
import { t, latinDigits } from './i18n.js';
import { api } from './api.js';
import { errorText } from './shell.js';

export const FIELDS = [
  ['given_name', 'text', 'given-name'], ['family_name', 'text', 'family-name'], ['date_of_birth', 'date', 'off'],
  ['national_id', 'text', 'off'], ['phone', 'tel', 'off'], ['household_size', 'number', 'off'], ['location', 'text', 'off'], ['pin', 'password', 'new-password'],
];

// Many beneficiaries have no national ID or phone of their own; the server takes them without.
export const OPTIONAL = new Set(['national_id', 'phone']);

export function validate(name, v) {
  if (!v) return OPTIONAL.has(name) ? '' : t('v.required');
  if (name === 'household_size' && !(Number.isInteger(+v) && +v >= 1 && +v <= 50)) return t('v.household');
  if (name === 'pin' && !/^\d{4,8}$/.test(latinDigits(v))) return t('vendor.pin_format');
  if (name === 'phone' && !/^\+?[0-9 ()-]{6,20}$/.test(latinDigits(v))) return t('v.phone');
  if (name === 'date_of_birth' && !(new Date(v) < new Date())) return t('v.dob');
  return '';
}

// duplicateText says which rule matched another record (the server names it).
export function duplicateText(e) {
  const rule = e.details?.rule;
  return ['national_id', 'phone', 'name_dob'].includes(rule) ? t('enroll.duplicate_' + rule) : t('err.duplicate_beneficiary');
}

// correctForm is the record's fields, filled in, behind "Correct details": only what was
// changed is sent (PATCH), an emptied national ID or phone removes it, and onSaved(b) hears the
// record as stored.
export function correctForm(b, onSaved) {
  const fields = {};
  const grid = h('div', { class: 'grid2' });
  for (const [name, type, ac] of FIELDS) {
    if (name === 'pin') continue; // a PIN is reset with the holder, not corrected
    const input = h('input', { id: 'c-' + name, name, type, autocomplete: ac, min: type === 'number' ? '1' : undefined, value: b[name] ?? '' });
    const f = field(t('field.' + name), input, OPTIONAL.has(name) ? t('enroll.optional') : undefined);
    input.addEventListener('blur', () => f.setError(validate(name, input.value.trim())));
    fields[name] = f; grid.append(f);
  }
  const out = h('div', { class: 'msg', id: 'correct-msg', 'aria-live': 'polite' });
  const save = h('button', { type: 'submit', id: 'correct-save', text: t('enroll.correct_save') });
  const form = h('form', { novalidate: true, id: 'correct-form', autocomplete: 'off' }, grid, out, save);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    msg(out, '', '');
    const patch = {};
    let first = null;
    for (const [name, f] of Object.entries(fields)) {
      const v = f.input.value.trim();
      const err = validate(name, v);
      f.setError(err);
      if (err && !first) first = f.input;
      const was = String(b[name] ?? '');
      if (v !== was) patch[name] = name === 'household_size' ? Number(v) : v;
    }
    if (first) { first.focus(); return msg(out, 'error', t('v.fix')); }
    if (!Object.keys(patch).length) return msg(out, 'warn', t('enroll.correct_nothing'));
    save.disabled = true;
    try {
      onSaved(await api('/api/v1/beneficiaries/' + encodeURIComponent(b.id), { method: 'PATCH', body: patch }));
    } catch (e) {
      if (e.field && fields[e.field]) { fields[e.field].setError(errorText(e)); fields[e.field].input.focus(); }
      msg(out, 'error', e.code === 'duplicate_beneficiary' ? duplicateText(e) : errorText(e));
    } finally { save.disabled = false; }
  });
  return h('details', { class: 'card noprint', id: 'correct' }, h('summary', { text: t('enroll.correct') }),
    h('p', { class: 'muted', text: t('enroll.correct_intro') }), form);
}
