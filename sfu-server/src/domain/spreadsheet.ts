// Cells of the CSV files people open in spreadsheet programs. A cell starting with = + - @ (or a tab or
// CR, which some programs skip before them) runs as a formula (=HYPERLINK, DDE...), so it gets a leading
// quote: spreadsheets show it as plain text. The site import takes that quote off again, so an exported
// tree imports back unchanged; the cost is that a name really starting with '= loses its quote on import.
const FORMULA_START = /^[=+\-@\t\r]/;

export const inertCell = (s: string): string => (FORMULA_START.test(s) ? `'${s}` : s);

/** Undoes inertCell: only a quote followed by a formula start is one inertCell added. */
export const restoreCell = (s: string): string => (s.startsWith("'") && FORMULA_START.test(s.slice(1)) ? s.slice(1) : s);
