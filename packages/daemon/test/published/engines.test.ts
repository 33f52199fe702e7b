import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

/**
 * We support Node >= 20.19 (README, every package's `engines`). A runtime dependency that declares
 * a newer Node makes `npm ci` warn EBADENGINE and may use APIs Node 20 lacks, so every package the
 * lock installs for production must accept the oldest Node we support.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../../..');
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { dev?: boolean; engines?: { node?: string } | string[] }>;
};

describe('engines', () => {
  it('every workspace package declares node >= 20.19', () => {
    for (const dir of ['packages/core', 'packages/daemon', 'packages/ui']) {
      const pkg = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as {
        engines?: { node?: string };
      };
      expect(pkg.engines?.node, dir).toBe('>=20.19');
    }
  });

  it('no production dependency in the lock requires a newer Node than 20.19', () => {
    const oldest = '20.19.0';
    const refusing: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      if (path === '' || entry.dev === true || Array.isArray(entry.engines)) continue;
      const range = entry.engines?.node;
      if (range === undefined) continue;
      if (!semver.satisfies(oldest, range, { includePrerelease: true }))
        refusing.push(`${path} (engines.node ${range})`);
    }
    expect(refusing, 'pin an older version or override it in the root package.json').toEqual([]);
  });
});
