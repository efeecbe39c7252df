// Plain JavaScript on purpose (CI runs it with whatever Node is at hand): reads vitest's JSON report
// and prints the closing 'N passed, N failed' line CI reads. Vitest counts tests, not files: a file
// whose setup throws reports its tests as skipped and `numFailedTests: 0`, so failed files count too.
// Exits 1 when anything failed, so the line can never say '0 failed' over a red run.
import { readFileSync } from 'node:fs';

export function summarize(report) {
  const filesFailed = report.testResults.filter((file) => file.status === 'failed');
  // A failed file with no failed test of its own failed in its setup (beforeAll, import, collection).
  const setupFailures = filesFailed.filter((file) => !file.assertionResults.some((t) => t.status === 'failed'));
  const failed = report.numFailedTests + setupFailures.length;
  const skipped = report.numPendingTests + report.numTodoTests;
  const parts = [`${report.numPassedTests} passed`, `${failed} failed`, `${skipped} skipped`];
  if (setupFailures.length > 0) parts.push(`(${setupFailures.length} file(s) failed before their tests ran)`);
  return { line: parts.join(', '), failed: failed > 0 || report.success === false };
}

/** Several runs' reports (the default suite, the PgBouncer suite) as one, for one closing line. */
export function combine(reports) {
  const sum = (key) => reports.reduce((total, r) => total + (r[key] ?? 0), 0);
  return {
    numPassedTests: sum('numPassedTests'),
    numFailedTests: sum('numFailedTests'),
    numPendingTests: sum('numPendingTests'),
    numTodoTests: sum('numTodoTests'),
    success: reports.every((r) => r.success !== false),
    testResults: reports.flatMap((r) => r.testResults),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const reports = process.argv.slice(2).map((file) => JSON.parse(readFileSync(file, 'utf8')));
  const { line, failed } = summarize(combine(reports));
  console.log(line);
  process.exitCode = failed ? 1 : 0;
}
