import { fmt, median, table } from './table.ts';

export interface Timing {
  /** Mean µs per call: what throughput pays. */
  mean: number;
  /** Median µs per call: the typical call, without GC pauses. */
  p50: number;
  /** This process's CPU µs per call (all threads: the pg client, jose's crypto, GC); the rest is waiting. */
  cpu: number;
  /** Database server CPU µs per call, when `databaseCpuMs` was given and could be read. */
  databaseCpu: number | undefined;
  /** Calls timed: `n`, or fewer when the time budget ran out first. */
  calls: number;
}

/**
 * Time up to `n` sequential calls of `fn`, one at a time, after a short warm-up; stop early when
 * `budgetMs` has passed so a slow or contended machine cannot stretch the run.
 */
export async function timeSequential(
  n: number,
  fn: () => Promise<unknown>,
  opts: { budgetMs: number; signal: AbortSignal; databaseCpuMs?: () => number | undefined },
): Promise<Timing> {
  for (let i = 0; i < Math.max(50, n / 20); i++) await fn();
  opts.signal.throwIfAborted();
  const samples: number[] = [];
  const dbStart = opts.databaseCpuMs?.();
  const cpuStart = process.cpuUsage();
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(opts.budgetMs * 1e6));
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    const t1 = process.hrtime.bigint();
    samples.push(Number(t1 - t0) / 1000);
    if (t1 > deadline) break;
  }
  const total = Number(process.hrtime.bigint() - start) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  const dbEnd = opts.databaseCpuMs?.();
  const calls = samples.length;
  return {
    mean: total / calls,
    p50: median(samples),
    cpu: (cpu.user + cpu.system) / calls,
    databaseCpu: dbStart !== undefined && dbEnd !== undefined ? ((dbEnd - dbStart) * 1000) / calls : undefined,
    calls,
  };
}

/** `[label, round trips, call]`: one row of a "where the time goes" table. */
export type Piece = [string, string, () => Promise<unknown>];

/**
 * Times each piece in turn (timeSequential) and tables them against the first one, the baseline:
 * each row's p50 as a multiple of the baseline's, and its CPU in this process and in the database.
 */
export async function piecesTable(
  pieces: Piece[],
  opts: { calls: number; budgetMs: number; signal: AbortSignal; databaseCpuMs?: () => number | undefined },
): Promise<string> {
  const rows: string[][] = [];
  let base = 0;
  for (const [label, trips, fn] of pieces) {
    const t = await timeSequential(opts.calls, fn, opts);
    if (!base) base = t.p50;
    rows.push([
      label,
      trips,
      fmt.int(t.calls),
      fmt.us(t.mean),
      fmt.us(t.p50),
      `${fmt.ratio(t.p50 / base)}×`,
      fmt.us(t.cpu),
      t.databaseCpu === undefined ? 'n/a' : fmt.us(t.databaseCpu),
    ]);
  }
  return table(
    ['piece', 'round trips', 'calls', 'mean µs', 'p50 µs', 'p50 × baseline', 'node CPU µs', 'pg CPU µs'],
    rows,
  );
}
