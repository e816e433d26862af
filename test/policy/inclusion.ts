import type { Matrix } from './types.ts';

/** Inclusion (issue 10), milestone 1: read-only pages and API; no write route yet. */
export const matrix: Matrix = {};
