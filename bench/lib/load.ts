import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';

export interface LoadOptions {
  url: string;
  headers?: Record<string, string>;
  connections: number;
  seconds: number;
  signal: AbortSignal;
  /** Returns total CPU milliseconds used so far by the database server, if it can be read. */
  databaseCpuMs?: () => number | undefined;
}

export interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  /** Share of wall time this process's main thread (where the servers run) was busy. */
  eventLoopBusy: number;
  /**
   * CPU of this process's main thread (both servers, the pg client, drizzle, jose's glue) per request,
   * µs; where /proc is missing, its busy wall time instead.
   */
  nodeUsPerRequest: number;
  /** Database server CPU per request, µs (undefined when /proc is unavailable). */
  databaseUsPerRequest: number | undefined;
}

/**
 * Load `url` with autocannon for a fixed time. The load generator runs in a worker thread
 * (`workers: 1`) so it does not share the event loop of the servers under test.
 * Throws on any error, timeout or non-2xx response.
 */
export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  opts.signal.throwIfAborted();
  const eluStart = performance.eventLoopUtilization();
  const nodeStart = mainThreadCpuMs();
  const dbStart = opts.databaseCpuMs?.();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: opts.url,
        headers: opts.headers,
        connections: opts.connections,
        duration: opts.seconds,
        workers: 1,
        timeout: 10,
      },
      (err, res) => {
        opts.signal.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve(res);
      },
    );
    // Stopping a workers-mode run never calls back: settle here instead.
    const onAbort = () => {
      instance.stop();
      reject(opts.signal.reason);
    };
    opts.signal.addEventListener('abort', onAbort, { once: true });
  });
  const elu = performance.eventLoopUtilization(eluStart);
  const nodeEnd = mainThreadCpuMs();
  const dbEnd = opts.databaseCpuMs?.();

  const problems = [
    result.errors && `${result.errors} errors`,
    result.timeouts && `${result.timeouts} timeouts`,
    result.non2xx && `${result.non2xx} non-2xx responses (${JSON.stringify(result.statusCodeStats)})`,
  ].filter(Boolean);
  if (problems.length) throw new Error(`Load on ${opts.url} failed: ${problems.join(', ')}.`);

  const requests = result['2xx'];
  if (requests === 0) throw new Error(`Load on ${opts.url} completed no requests.`);
  return {
    requests,
    rps: requests / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    eventLoopBusy: elu.utilization,
    nodeUsPerRequest:
      ((nodeStart !== undefined && nodeEnd !== undefined ? nodeEnd - nodeStart : elu.active) * 1000) / requests,
    databaseUsPerRequest:
      dbStart !== undefined && dbEnd !== undefined ? ((dbEnd - dbStart) * 1000) / requests : undefined,
  };
}

let clockTicks: number | undefined;
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** Fields after the `(comm)` of /proc/PID/stat: [0] state, [1] ppid, [11] utime, [12] stime, [13] cutime, [14] cstime. */
function statFields(pid: string): string[] | undefined {
  // `pid` may also be a path below /proc such as `self/task/123`.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined; // the process ended meanwhile
  }
}

/** CPU used so far by this process's main thread (not the load generator's worker, not libuv's pool). */
function mainThreadCpuMs(): number | undefined {
  const fields = statFields(`self/task/${process.pid}`);
  return fields ? ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond() : undefined;
}

/** CPU used so far by another process (user + system, its reaped children included); Linux only. */
export function processCpuMs(pid: number): number | undefined {
  const fields = statFields(String(pid));
  if (!fields) return undefined;
  const ticks = Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  return (ticks * 1000) / ticksPerSecond();
}

/**
 * CPU used so far by a PostgreSQL server: the postmaster (including its reaped children) plus its
 * live children (backends, background workers). Linux only; undefined elsewhere.
 */
export function postgresCpuMs(postmasterPidFile: string): () => number | undefined {
  return () => {
    if (!existsSync('/proc/self/stat') || !existsSync(postmasterPidFile)) return undefined;
    const postmaster = readFileSync(postmasterPidFile, 'utf8').split('\n')[0]!.trim();
    const own = statFields(postmaster);
    if (!own) return undefined;
    let ticks = Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      const fields = statFields(pid);
      if (fields?.[1] === postmaster) ticks += Number(fields[11]) + Number(fields[12]);
    }
    return (ticks * 1000) / ticksPerSecond();
  };
}
