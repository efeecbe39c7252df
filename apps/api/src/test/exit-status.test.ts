import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: plain JavaScript (it runs on any Node in CI), without type declarations.
import { combine, summarize } from '../../../../scripts/test-summary.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixtures = path.join(here, 'fixtures', 'exit-status');
const vitestCli = path.join(path.dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
const reports = mkdtempSync(path.join(tmpdir(), 'invpro-exit-status-'));
afterAll(() => rmSync(reports, { recursive: true, force: true }));

/** Runs one fixture through vitest in a child process, as `npm test` would: exit status and JSON report. */
function runFixture(name: string): Promise<{ status: number | null; report: Parameters<typeof summarize>[0] }> {
  const outputFile = path.join(reports, `${name}.json`);
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [vitestCli, 'run', '--root', fixtures, '--reporter=json', `--outputFile=${outputFile}`],
      { env: { ...process.env, FIXTURE: name }, timeout: 90_000 },
      (err) => {
        const status = err ? ((err as { code?: number }).code ?? 1) : 0;
        resolve({
          status: typeof status === 'number' ? status : 1,
          report: JSON.parse(readFileSync(outputFile, 'utf8')),
        });
      },
    );
  });
}

describe('the test command can fail', () => {
  it('a failing assertion makes vitest exit non-zero, with the embedded PostgreSQL loaded', async () => {
    const { status, report } = await runFixture('failing-assertion');
    expect(status).not.toBe(0);
    expect(summarize(report)).toEqual({ line: '0 passed, 1 failed, 0 skipped', failed: true });
  });

  it('a throwing beforeAll makes it exit non-zero, and the summary counts the file as failed', async () => {
    const { status, report } = await runFixture('throwing-before-all');
    expect(status).not.toBe(0);
    // Vitest itself reports no failed test here, only skipped ones: the summary must not say "0 failed".
    expect(report.numFailedTests).toBe(0);
    expect(summarize(report).failed).toBe(true);
    expect(summarize(report).line).toMatch(/^0 passed, 1 failed, 1 skipped/);
  });

  it('a passing run exits 0 (the harness itself does not always fail)', async () => {
    const { status, report } = await runFixture('passing');
    expect(status).toBe(0);
    expect(summarize(report)).toEqual({ line: '1 passed, 0 failed, 0 skipped', failed: false });
  });

  it("CI's last line adds the PgBouncer run to the default one: a failure in either fails both", async () => {
    const [passing, failing] = await Promise.all([runFixture('passing'), runFixture('failing-assertion')]);
    expect(summarize(combine([passing.report, passing.report]))).toEqual({
      line: '2 passed, 0 failed, 0 skipped',
      failed: false,
    });
    expect(summarize(combine([passing.report, failing.report]))).toEqual({
      line: '1 passed, 1 failed, 0 skipped',
      failed: true,
    });
  });
});
