/** The report layer: one result model, four views. Every renderer is a pure function of the Report. */

import type { Report } from '../result/model.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { renderMarkdown } from './markdown.js';
import { renderText } from './text.js';

export { renderJson } from './json.js';
export { renderJunit } from './junit.js';
export { DEFAULT_MAX_LENGTH, type MarkdownOptions, renderMarkdown } from './markdown.js';
export { renderText, type TextOptions } from './text.js';

export const FORMATS = ['text', 'json', 'markdown', 'junit'] as const;
export type Format = (typeof FORMATS)[number];

/** Every format's options in one bag; each renderer reads only its own. */
export interface RenderOptions {
  /** text: ANSI colours. Default false: the caller decides from the terminal and NO_COLOR. */
  color?: boolean;
  /** text: each session's transcript. */
  verbose?: boolean;
  /** text: the terminal's width to fit; absent, nothing is cut or wrapped. */
  width?: number;
  /** markdown: longest output. Default 60 000. */
  maxLength?: number;
}

/** The report in the given format; every output ends with a newline. */
export function render(report: Report, format: Format, options: RenderOptions = {}): string {
  switch (format) {
    case 'text':
      return renderText(report, {
        color: options.color ?? false,
        ...(options.verbose === undefined ? {} : { verbose: options.verbose }),
        ...(options.width === undefined ? {} : { width: options.width }),
      });
    case 'json':
      return renderJson(report);
    case 'markdown':
      return renderMarkdown(report, options.maxLength === undefined ? {} : { maxLength: options.maxLength });
    case 'junit':
      return renderJunit(report);
    default: {
      // A format from untyped input (a flag, an action input) must fail loudly, naming the choices.
      const unknown: never = format;
      throw new TypeError(
        `unknown report format ${JSON.stringify(unknown)}: use one of ${FORMATS.join(', ')}`,
      );
    }
  }
}
