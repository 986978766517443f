// latinDigits maps Arabic-Indic and Persian digits to 0-9 and leaves everything else: Arabic
// phone keyboards type them (in card numbers, PINs and amounts alike). A pure module, for the
// card number's check (damm.js) as for the locale's parsing (i18n.js).
export function latinDigits(s) {
  return String(s).replace(/[\u0660-\u0669]/g, (c) => String(c.charCodeAt(0) - 0x660))
    .replace(/[\u06f0-\u06f9]/g, (c) => String(c.charCodeAt(0) - 0x6f0));
}
