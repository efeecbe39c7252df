// Starts the built web app against a given API, and for browser tests opens Chromium on it (see
// browser.ts). Needs a build first (`npm run build -w @invpro/web`); `next start` does not build.

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { browserLaunch } from './browser';

const WEB_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface WebHarness {
  /** e.g. http://127.0.0.1:41234, no trailing slash. */
  webUrl: string;
  context: BrowserContext;
  /** The context's first page. */
  page: Page;
  /** What `next start` printed, for failure messages. */
  serverOutput(): string;
  close(): Promise<void>;
}

export interface WebHarnessOptions {
  /** Where the web app's /api proxy forwards to, e.g. http://127.0.0.1:8000. */
  apiUrl: string;
  /** Extra environment for `next start`. */
  env?: Record<string, string>;
  /** Show the browser window (needs a display). */
  headed?: boolean;
  startTimeoutMs?: number;
  /** What to poll until the server answers (a production server redirects /login to https). */
  readyPath?: string;
}

export interface WebServer {
  /** e.g. http://127.0.0.1:41234, no trailing slash. */
  webUrl: string;
  /** The server process, for tests that watch its memory (/proc/<pid>/status). */
  pid: number;
  /** What the server printed, for failure messages. */
  serverOutput(): string;
  close(): Promise<void>;
}

export type WebServerOptions = Omit<WebHarnessOptions, 'headed'>;

/** The built web app's own server (server.ts), without a browser: for tests that speak plain HTTP. */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  if (!existsSync(join(WEB_DIR, '.next', 'BUILD_ID'))) {
    throw new Error(`No build in ${WEB_DIR}/.next: run "npm run build -w @invpro/web" first.`);
  }
  const port = await freePort();
  const webUrl = `http://127.0.0.1:${port}`;
  const server = startNext(port, options);
  let output = '';
  server.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  server.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  try {
    await waitForHttp(
      `${webUrl}${options.readyPath ?? '/login'}`,
      server,
      () => output,
      options.startTimeoutMs ?? 30_000,
    );
  } catch (err) {
    await stopProcess(server);
    throw err;
  }
  return { webUrl, pid: server.pid!, serverOutput: () => output, close: () => stopProcess(server) };
}

export async function startWeb(options: WebHarnessOptions): Promise<WebHarness> {
  const server = await startWebServer(options);
  let userDataDir: string | undefined;
  try {
    userDataDir = await mkdtemp(join(tmpdir(), 'invpro-chromium-'));
    const context = await chromium.launchPersistentContext(userDataDir, {
      ...(await browserLaunch()),
      headless: !options.headed,
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const dataDir = userDataDir;
    let closed = false;
    return {
      webUrl: server.webUrl,
      context,
      page,
      serverOutput: server.serverOutput,
      async close() {
        if (closed) return;
        closed = true;
        await context.close().catch(() => {});
        await server.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await server.close();
    if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
    throw err;
  }
}

function startNext(port: number, options: WebServerOptions): ChildProcess {
  // Our own server (server.ts: next plus the real client address), run by this very Node (24 in tests).
  return spawn(process.execPath, [join(WEB_DIR, 'server.ts')], {
    cwd: WEB_DIR,
    env: {
      ...process.env,
      NEXT_TELEMETRY_DISABLED: '1',
      API_INTERNAL_URL: options.apiUrl,
      PORT: String(port),
      HOSTNAME: '127.0.0.1',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** A port the OS just handed out; there is a small race until next binds it, fine for tests. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      srv.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('Could not get a free port'));
      });
    });
  });
}

// `next start` prints "Ready" before it has checked that a build exists, so only an answer over
// HTTP proves it serves.
async function waitForHttp(url: string, server: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null || server.signalCode !== null) {
      throw new Error(`next start exited (${server.exitCode ?? server.signalCode}) before serving:\n${output()}`);
    }
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await res.body?.cancel();
      if (res.status < 500) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`next start did not answer ${url} within ${timeoutMs} ms:\n${output()}`);
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
