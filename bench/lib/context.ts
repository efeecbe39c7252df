/** What `bench/run.ts` passes to a benchmark's default export. */
export interface BenchContext {
  /** Arguments after the benchmark's name. */
  args: string[];
  /** Aborted on Ctrl-C / SIGTERM: stop loading and let `finally` shut everything down. */
  signal: AbortSignal;
}

export type Benchmark = (ctx: BenchContext) => Promise<void>;

/** Teardown steps, run newest first; every step runs even if an earlier one fails. */
export class Cleanup {
  private steps: { label: string; run: () => unknown }[] = [];

  add(label: string, run: () => unknown): void {
    this.steps.push({ label, run });
  }

  async run(): Promise<void> {
    const failures: string[] = [];
    for (const step of this.steps.reverse()) {
      try {
        await step.run();
      } catch (err) {
        failures.push(`${step.label}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    this.steps = [];
    if (failures.length) console.error(`Cleanup problems:\n  ${failures.join('\n  ')}`);
  }
}

/** `--name=value` from the benchmark's arguments, as a positive number. */
export function numberArg(args: string[], name: string, fallback: number): number {
  const raw = args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number, got "${raw}".`);
  return value;
}

/** `--name=value` from the benchmark's arguments, as text. */
export function textArg(args: string[], name: string, fallback: string): string {
  return args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
}
