/** The bundle's entry: Lambda calls the exported `handler` (configured as index.handler). */
export { handler } from './handler.js';
