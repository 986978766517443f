// Card numbers: 10 digits + 1 Damm check digit, shown as "1234-5678-901". A pure module, the
// mirror of server/enroll/card.go, so the check can be swapped if the server changes algorithm.
// The Damm check catches every single-digit error and every adjacent transposition.
import { latinDigits } from './digits.js';

const TABLE = [
  [0, 3, 1, 7, 5, 9, 8, 6, 4, 2],
  [7, 0, 9, 2, 1, 5, 4, 8, 6, 3],
  [4, 2, 0, 6, 8, 7, 1, 3, 5, 9],
  [1, 7, 5, 0, 9, 8, 3, 4, 2, 6],
  [6, 1, 2, 3, 0, 4, 5, 9, 7, 8],
  [3, 6, 7, 4, 2, 0, 9, 5, 8, 1],
  [5, 8, 6, 9, 7, 2, 0, 1, 3, 4],
  [8, 9, 4, 5, 3, 6, 2, 0, 1, 7],
  [9, 4, 3, 8, 6, 1, 7, 2, 0, 5],
  [2, 5, 8, 1, 4, 3, 6, 7, 9, 0],
];

export const CARD_DIGITS = 11;

// dammDigit is the interim digit after the digits; appending it makes the whole string check to 0.
export function dammDigit(digits) {
  let interim = 0;
  for (const ch of digits) interim = TABLE[interim][ch.charCodeAt(0) - 48];
  return interim;
}

// digitsOf keeps the digits of what was typed, mapping Arabic-Indic and Persian digits to ASCII.
export function digitsOf(s) {
  return latinDigits(s).replace(/[^0-9]/g, '');
}

// checkCard → {state: 'empty'|'short'|'long'|'bad'|'ok', digits}. 'bad' means the check digit
// is wrong: a typo, not an unknown card.
export function checkCard(s) {
  const digits = digitsOf(s);
  if (digits.length === 0) return { state: 'empty', digits };
  if (digits.length < CARD_DIGITS) return { state: 'short', digits };
  if (digits.length > CARD_DIGITS) return { state: 'long', digits };
  return { state: dammDigit(digits) === 0 ? 'ok' : 'bad', digits };
}

// formatCard groups digits as typed: "1234-5678-901".
export function formatCard(s) {
  const d = digitsOf(s);
  return [d.slice(0, 4), d.slice(4, 8), d.slice(8)].filter(Boolean).join('-');
}

// withCheckDigit appends the check digit to 10 digits (used by tests and demos).
export const withCheckDigit = (ten) => ten + String(dammDigit(ten));
