// Translations and locale formatting. All user-facing strings live in static/i18n/<lang>.js;
// numbers, money and dates go through Intl for the current locale. Arabic switches the whole
// document to dir="rtl"; the stylesheet uses logical properties so the layout mirrors itself.
import en from '../i18n/en.js';
import ar from '../i18n/ar.js';
import { latinDigits } from './digits.js';

export { latinDigits };

const dicts = { en, ar };
export const LANGS = [['en', 'English'], ['ar', 'العربية']];
const KEY = 'aidledger.lang'; // a preference, not personal data

let lang = pick();
function pick() {
  try { const s = localStorage.getItem(KEY); if (dicts[s]) return s; } catch { /* storage off */ }
  return (navigator.language || 'en').toLowerCase().startsWith('ar') ? 'ar' : 'en';
}

export const getLang = () => lang;
export const locale = () => (lang === 'ar' ? 'ar' : 'en');

// t('key', {n: 3}) → the string with {n} replaced; falls back to English, then to the key.
export function t(key, params) {
  let s = dicts[lang][key] ?? en[key] ?? key;
  if (params) s = s.replace(/\{(\w+)\}/g, (m, k) => (params[k] ?? m));
  return s;
}

export function setLang(l) {
  if (!dicts[l]) return;
  lang = l;
  try { localStorage.setItem(KEY, l); } catch { /* storage off */ }
  applyDocument();
  document.dispatchEvent(new CustomEvent('langchange', { detail: l }));
}

// applyDocument sets lang/dir and fills every [data-i18n] element (static markup).
export function applyDocument(root = document) {
  document.documentElement.lang = lang;
  document.documentElement.dir = lang === 'ar' ? 'rtl' : 'ltr';
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  const title = document.querySelector('meta[name=app-title]');
  if (title) document.title = t(title.content) + ' · aidledger';
}

export function fmtNumber(n) { return new Intl.NumberFormat(locale()).format(n); }
export function fmtDate(s) {
  if (!s) return '';
  const d = new Date(s);
  return isNaN(d) ? String(s) : new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(d);
}

// fmtTime is the time of day alone, for lists of one day (a phone's narrow column).
export function fmtTime(s) {
  const d = new Date(s);
  return !s || isNaN(d) ? String(s || '') : new Intl.DateTimeFormat(locale(), { timeStyle: 'short' }).format(d);
}
export function fmtDay(s) {
  const d = new Date(s);
  return isNaN(d) ? String(s) : new Intl.DateTimeFormat(locale(), { dateStyle: 'medium' }).format(d);
}

// currencyDecimals: the program's decimals if known, else the ISO default for the currency.
export function currencyDecimals(currency, decimals) {
  if (Number.isInteger(decimals)) return decimals;
  try { return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits; } catch { return 0; }
}

// majorString turns integer minor units into an exact decimal string ("123456", 2 → "1234.56")
// with BigInt, so large amounts never lose precision in a float.
export function majorString(minor, decimals) {
  let v = BigInt(minor ?? 0);
  const neg = v < 0n; if (neg) v = -v;
  const s = v.toString().padStart(decimals + 1, '0');
  const int = decimals ? s.slice(0, -decimals) : s;
  const frac = decimals ? '.' + s.slice(-decimals) : '';
  return (neg ? '-' : '') + int + frac;
}

// fmtMoney(12345, 'USD', 2) → "$123.45" (or "١٢٣٫٤٥ US$" in Arabic).
export function fmtMoney(minor, currency, decimals) {
  const dec = currencyDecimals(currency, decimals);
  const str = majorString(minor, dec);
  const opts = { minimumFractionDigits: dec, maximumFractionDigits: dec };
  try {
    return new Intl.NumberFormat(locale(), { ...opts, style: 'currency', currency }).format(str);
  } catch {
    // not an ISO 4217 code (e.g. a voucher unit): number + code
    return new Intl.NumberFormat(locale(), opts).format(str) + (currency ? ' ' + currency : '');
  }
}

// wrappable lets a formatted amount break between its currency and its figure where a box is
// too narrow for both on one line: Intl joins them with a no-break space.
export function wrappable(s) { return String(s).replace(/[\u00a0\u202f]/g, ' '); }

// parseMajor('12.50', 2) → 1250 (minor units, integer), or null when not a valid amount with at
// most `decimals` decimals. Accepts "," or "." or the Arabic decimal separator, and Arabic digits.
export function parseMajor(input, decimals) {
  let s = latinDigits(String(input).trim())
    .replace(/[\u066b,]/g, '.').replace(/[\s\u066c]/g, '');
  if (!/^\d+(\.\d*)?$/.test(s)) return null;
  let [int, frac = ''] = s.split('.');
  if (frac.length > decimals) return null;
  const v = BigInt(int + frac.padEnd(decimals, '0'));
  if (v <= 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  return Number(v);
}
