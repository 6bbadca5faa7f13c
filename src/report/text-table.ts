/** Aligned tables for the terminal: widths in code points, squeezed to fit a width, cells coloured. */
import type pc from 'picocolors';

export type Colors = ReturnType<typeof pc.createColors>;
export type Paint = (text: string) => string;

export interface Column {
  title: string;
  align: 'left' | 'right';
  /** Narrowest the column may be squeezed to when the table is too wide; absent: never squeezed. */
  min?: number;
}

export const GAP = '  ';

/** A cell: the plain text (for width) and how to colour it. */
export interface Cell {
  text: string;
  paint?: Paint;
}

/** Length in code points: what a terminal shows for the text this renderer emits. */
export function width(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

export function truncate(text: string, max: number | undefined): string {
  if (max === undefined || width(text) <= max) return text;
  return `${Array.from(text)
    .slice(0, Math.max(0, max - 1))
    .join('')}…`;
}

/** Word-wraps to `max` columns: the first line starts with `first`, the others with `rest`. */
export function wrap(text: string, max: number | undefined, first: string, rest: string): string[] {
  if (max === undefined) return [first + text];
  const lines: string[] = [];
  let line = '';
  const prefix = () => (lines.length === 0 ? first : rest);
  for (const word of text.split(' ').filter(Boolean)) {
    if (line !== '' && width(`${prefix()}${line} ${word}`) > max) {
      lines.push(prefix() + line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(prefix() + line);
  // A word longer than a line (a URL) is left to overflow: cut, it would be useless.
  return lines;
}

/** Natural widths, then, on a terminal, the squeezable columns narrowed (target first) until the table fits. */
export function columnWidths(columns: readonly Column[], table: Cell[][], max: number | undefined): number[] {
  const widths = columns.map((col, i) =>
    Math.max(width(col.title), ...table.map((r) => width(r[i]?.text ?? ''))),
  );
  if (max === undefined) return widths;
  const total = () => widths.reduce((sum, w) => sum + w, 0) + GAP.length * (widths.length - 1);
  for (const [i, col] of columns.entries()) {
    const current = widths[i] ?? 0;
    if (col.min === undefined || total() <= max) continue;
    widths[i] = Math.max(col.min, current - (total() - max));
  }
  return widths;
}

export function formatRow(columns: readonly Column[], row: Cell[], widths: number[]): string {
  return row
    .map((cell, i) => {
      const w = widths[i] ?? 0;
      const text = truncate(cell.text, w);
      const pad = ' '.repeat(Math.max(0, w - width(text)));
      const padded =
        columns[i]?.align === 'right'
          ? pad + (cell.paint?.(text) ?? text)
          : (cell.paint?.(text) ?? text) + pad;
      return padded;
    })
    .join(GAP)
    .trimEnd();
}
