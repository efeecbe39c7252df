import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { webBuildIsCurrent } from './web-build.ts';

describe('webBuildIsCurrent', () => {
  let root: string;
  let web: string;
  let contract: string;
  const at = (file: string, seconds: number) => {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, '');
    utimesSync(file, seconds, seconds);
  };

  beforeEach(() => {
    root = mkdtempSync(path.join(tmpdir(), 'web-build-'));
    web = path.join(root, 'apps', 'web');
    contract = path.join(root, 'packages', 'contract');
    at(path.join(web, 'app', 'page.tsx'), 1_000);
    at(path.join(contract, 'src', 'index.ts'), 1_000);
    at(path.join(web, '.next', 'BUILD_ID'), 2_000);
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('is current when nothing changed since the build', () => {
    expect(webBuildIsCurrent(web, [contract])).toBe(true);
  });

  it('is stale when the web sources changed', () => {
    at(path.join(web, 'app', 'page.tsx'), 3_000);
    expect(webBuildIsCurrent(web, [contract])).toBe(false);
  });

  it('is stale when a package the web app bundles changed', () => {
    at(path.join(contract, 'src', 'body-limits.ts'), 3_000);
    expect(webBuildIsCurrent(web, [contract])).toBe(false);
  });

  it('is stale when there is no build', () => {
    rmSync(path.join(web, '.next'), { recursive: true });
    expect(webBuildIsCurrent(web, [contract])).toBe(false);
  });
});
