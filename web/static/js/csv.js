// CSV generation (RFC 4180) for client-side downloads. Cells that a spreadsheet would run as a
// formula (=, +, -, @) are prefixed with an apostrophe: CSV injection defence.
export function toCSV(header, rows) {
  const cell = (v) => {
    let s = v === null || v === undefined ? '' : String(v);
    if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
    return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  };
  return [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}
