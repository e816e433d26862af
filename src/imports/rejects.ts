/** Counts what a run read, kept and rejected, and keeps a sample of rejects with reasons. */
export class RunTally {
  read = 0;
  accepted = 0;
  rejected = 0;
  readonly sample: { line: number | null; reason: string; raw?: string }[] = [];
  constructor(private readonly maxSample = 100) {}

  reject(line: number | null, reason: string, raw?: string): void {
    this.rejected++;
    if (this.sample.length < this.maxSample) this.sample.push({ line, reason, raw: raw?.slice(0, 300) });
  }
}
