import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../src/errors.js';

describe('error code registry', () => {
  it('matches docs/errors.md in both directions, area by area', () => {
    const doc = fs.readFileSync(new URL('../../../docs/errors.md', import.meta.url), 'utf8');
    const documented = [...doc.matchAll(/^\| `([A-Z_]+)` \| (.+) \|$/gm)].map((m) => [m[1], m[2]]);
    const registry = Object.entries(ERROR_CODES).map(([code, { summary }]) => [code, summary]);
    expect(documented.sort()).toEqual(registry.sort());
  });
});
