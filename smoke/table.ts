/** A column: its header, and whether numbers in it line up on the right. */
export interface Column {
  readonly header: string;
  readonly align?: 'left' | 'right';
}

/**
 * A plain-text table with aligned columns, readable in a terminal, a CI log and a README code block alike.
 * Widths count code points, so "→" and accented letters do not push a column out of line.
 */
export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const width = (text: string) => [...text].length;
  const widths = columns.map((column, i) => Math.max(width(column.header), ...rows.map((row) => width(row[i] ?? ''))));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => {
        const pad = ' '.repeat(widths[i]! - width(cell));
        return columns[i]!.align === 'right' ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.header)), line(widths.map((w) => '-'.repeat(w))), ...rows.map((row) => line(columns.map((_, i) => row[i] ?? '')))].join('\n');
}
