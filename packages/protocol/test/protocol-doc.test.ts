import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REQUESTS } from '../src/messages/index.js';

describe('docs/protocol.md', () => {
  it('lists every request type, and no other', () => {
    const doc = fs.readFileSync(new URL('../../../docs/protocol.md', import.meta.url), 'utf8');
    const documented = [...doc.matchAll(/^\| `([a-z.]+)` \|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(Object.keys(REQUESTS).sort());
  });
});
