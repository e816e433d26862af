import { safeSnippet } from '../text/safe.ts';

/** Counts what a run read, kept and rejected, and keeps a sample of rejects with reasons. */
export class RunTally {
  read = 0;
  accepted = 0;
  rejected = 0;
  readonly sample: { line: number | null; reason: string; raw?: string }[] = [];
  constructor(private readonly maxSample = 100) {}

  reject(line: number | null, reason: string, raw?: string): void {
    this.rejected++;
    // Reasons and samples quote the file: stored text must stay valid whatever it holds.
    if (this.sample.length < this.maxSample)
      this.sample.push({
        line,
        reason: safeSnippet(reason, 500),
        raw: raw === undefined ? undefined : safeSnippet(raw, 300),
      });
  }
}
