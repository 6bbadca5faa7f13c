/** The matrix on a terminal: target:port rows, a column per vantage, each cell status, verdict, latency. */
import type { Report, Severity } from '../result/model.js';
import { buildMatrix, latencyText, type MatrixCell } from './matrix.js';
import { hostPort, oneLine } from './row-view.js';
import { type Cell, type Colors, type Column, columnWidths, formatRow, type Paint } from './text-table.js';

function paintOf(c: Colors, cell: MatrixCell): Paint | undefined {
  const severity: Severity | null = cell.error ? 'error' : cell.severity;
  if (severity === 'error') return c.red;
  if (severity === 'warning') return c.yellow;
  if (cell.status === 'ok') return c.green;
  if (cell.status === '-') return c.dim;
  return undefined;
}

/** `ok 12 ms`, `timeout egress-blocked 1.0 s`: the verdict before the latency, so a squeeze cuts the latency first. */
export function cellText(cell: MatrixCell): string {
  return [cell.status, cell.verdict ?? '', latencyText(cell.latencyMs)].filter(Boolean).join(' ');
}

/** The matrix as lines, squeezed to `max` columns when given (names first, then the vantage columns). */
export function matrixLines(c: Colors, report: Report, max: number | undefined): string[] {
  const matrix = buildMatrix(report);
  const columns: Column[] = [
    { title: 'TARGET:PORT', align: 'left', min: 10 },
    ...matrix.vantages.map((v): Column => ({ title: oneLine(v.title), align: 'left', min: 9 })),
  ];
  const body: Cell[][] = matrix.rows.map((row) => [
    { text: oneLine(`${hostPort(row.target, row.port)}${row.control ? ' (control)' : ''}`) },
    ...row.cells.map((cell): Cell => {
      const paint = paintOf(c, cell);
      return { text: oneLine(cellText(cell)), ...(paint ? { paint } : {}) };
    }),
  ]);
  const widths = columnWidths(columns, body, max);
  const header = formatRow(
    columns,
    columns.map((col) => ({ text: col.title, paint: c.bold })),
    widths,
  );
  return [header, ...body.map((cells) => formatRow(columns, cells, widths))];
}
