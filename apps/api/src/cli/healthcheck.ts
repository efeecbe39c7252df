// `invpro healthcheck`: the containers' HEALTHCHECK. Exit 0 when this container's process beat
// recently (see health-file.ts) and, for the API, answers HTTP; otherwise exit 1 saying why.
import { readFileSync } from 'node:fs';
import { HEALTH_STALE_MS, type HealthBeat } from '../health-file.ts';

export async function commandHealthcheck(): Promise<void> {
  const file = process.env.INVPRO_HEALTH_FILE;
  if (!file) return fail('INVPRO_HEALTH_FILE is not set, so there is nothing to check.');
  let beat: HealthBeat;
  try {
    beat = JSON.parse(readFileSync(file, 'utf8')) as HealthBeat;
  } catch {
    return fail(`no heartbeat in ${file} yet (the process is starting, or cannot reach the database)`);
  }
  const age = Date.now() - beat.at;
  if (age > HEALTH_STALE_MS) return fail(`the ${beat.role} last beat ${Math.round(age / 1000)} s ago`);
  if (beat.role === 'api') {
    const url = `http://127.0.0.1:${process.env.API_PORT ?? '8000'}/api/health/ready/`;
    const res = await fetch(url, { signal: AbortSignal.timeout(3000) }).catch((err: Error) => err);
    if (res instanceof Error) return fail(`${url}: ${res.message}`);
    if (!res.ok) return fail(`${url} answered ${res.status}`);
  }
  console.log(`${beat.role} healthy (beat ${Math.round(age / 1000)} s ago)`);
}

function fail(reason: string): void {
  console.error(`unhealthy: ${reason}`);
  process.exitCode = 1;
}
