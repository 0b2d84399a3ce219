import { describe, expect, it } from 'vitest';
import { inertCell, restoreCell } from '../src/domain/spreadsheet';

describe('spreadsheet cells', () => {
  it('quotes every cell a spreadsheet would run as a formula, and only those', () => {
    for (const s of ['=1+1', '+1', '-2+3', '@SUM(A1)', '\t=1', '\r=1']) expect(inertCell(s)).toBe(`'${s}`);
    for (const s of ['Xã Cù Vân', 'TN-DT', '', "'quoted", '1-2']) expect(inertCell(s)).toBe(s);
  });

  it('restores what it quoted and leaves other quotes alone', () => {
    for (const s of ['=HYPERLINK("x")', '-5', 'plain', "'kept", "'"]) expect(restoreCell(inertCell(s))).toBe(s);
    expect(restoreCell("'abc")).toBe("'abc");
  });
});
