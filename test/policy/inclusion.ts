import type { Matrix } from './types.ts';

/** Inclusion (issue 10): places, exports, accessibility and IFN are read-only pages and API; no write route yet. */
export const matrix: Matrix = {};
