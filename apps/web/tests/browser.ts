// Which Chromium the browser tests drive. By default the one inside the npm package
// @sparticuz/chromium (a headless shell shipped in the package, unpacked into the temp folder on
// first use), so `npm install && npm test` needs no apt step and no browser download (decision
// 0011). CHROMIUM_PATH picks another build, e.g. Debian's /usr/bin/chromium.

import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import chromium from '@sparticuz/chromium';

/** This machine's network is closed: without these Chromium keeps calling home and fails. */
const QUIET = ['--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export interface BrowserLaunch {
  executablePath: string;
  args: string[];
}

function answers(executable: string): boolean {
  const run = spawnSync(executable, ['--version'], { stdio: 'ignore', timeout: 30_000 });
  return run.status === 0;
}

/**
 * Unpack the packaged Chromium (once per machine) and check that it runs. The package only tests
 * whether the file exists, so a copy left half-written by an interrupted unpack is thrown away and
 * unpacked again. Called by the test run's global setup, before test files run in parallel.
 */
export async function preparePackagedChromium(): Promise<string> {
  let executable = await chromium.executablePath();
  if (!answers(executable)) {
    rmSync(join(tmpdir(), 'chromium'), { force: true });
    executable = await chromium.executablePath();
    if (!answers(executable)) throw new Error(`The Chromium from @sparticuz/chromium (${executable}) does not run.`);
  }
  return executable;
}

export async function browserLaunch(): Promise<BrowserLaunch> {
  const custom = process.env.CHROMIUM_PATH;
  if (custom) return { executablePath: custom, args: ['--no-sandbox', '--disable-gpu', ...QUIET] };
  return { executablePath: await chromium.executablePath(), args: [...chromium.args, ...QUIET] };
}
