import type { Machine } from './machine.js';
import { machineLine } from './machine.js';
import type { SuiteResult, Table } from './types.js';

export interface BenchResults {
  /** ISO time the run ended. */
  date: string;
  smoke: boolean;
  machine: Machine;
  /** The commit measured, and whether the work tree had changes. */
  commit: string | null;
  durationS: number;
  suites: SuiteResult[];
}

const cell = (value: string | number) => String(value).replace(/\|/g, '\\|');

export function renderTable(table: Table): string {
  const widths = table.columns.map((column, i) =>
    Math.max(3, cell(column).length, ...table.rows.map((row) => cell(row[i] ?? '').length)),
  );
  const line = (values: (string | number)[]) =>
    `| ${values.map((value, i) => cell(value).padEnd(widths[i] ?? 3)).join(' | ')} |`;
  const numeric = table.columns.map((_, i) => table.rows.every((row) => typeof row[i] === 'number'));
  const rule = `| ${widths.map((w, i) => (numeric[i] ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(table.columns), rule, ...table.rows.map(line)].join('\n');
}

/** The markdown the README's Performance section shows (between its bench markers). */
export function renderMarkdown(results: BenchResults): string {
  const out: string[] = [
    `Measured ${results.date.slice(0, 10)} on ${machineLine(results.machine)}` +
      (results.commit ? `, commit ${results.commit}` : '') +
      (results.smoke ? ' (**smoke run: one sample each, small sizes: not figures to quote**)' : '') +
      '.',
    '',
  ];
  for (const suite of results.suites) {
    out.push(`#### ${suite.title}`, '');
    if (suite.skipped) {
      out.push(`Not run here: ${suite.skipped}`, '');
      continue;
    }
    out.push(suite.method, '');
    for (const table of suite.tables) out.push(renderTable(table), '');
    if (suite.goals.length > 0) {
      out.push(
        renderTable({
          columns: ['Goal', 'Measured', 'Met'],
          rows: suite.goals.map((g) => [g.goal, g.measured, g.met ? 'yes' : '**no**']),
        }),
        '',
      );
    }
    for (const note of suite.notes) out.push(`- ${note}`);
    if (suite.notes.length > 0) out.push('');
  }
  return `${out.join('\n').trimEnd()}\n`;
}
