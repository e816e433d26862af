/** CSV as the platform publishes it: UTF-8 with BOM (spreadsheets read accents right), `;`, CRLF. */
const csvCell = (v: string | number | null | undefined) => {
  const s = v === null || v === undefined ? '' : String(v);
  return /[;"\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export const csvDocument = (header: readonly string[], rows: readonly (string | number | null | undefined)[][]) =>
  `\uFEFF${[header.map(csvCell).join(';'), ...rows.map((r) => r.map(csvCell).join(';'))].join('\r\n')}\r\n`;
