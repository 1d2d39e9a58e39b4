/**
 * SQLite's variable-length integers, as FTS5 writes them: big-endian groups of seven bits, the
 * high bit set on every byte but the last; a ninth byte, if reached, holds eight bits.
 * `readVarint` returns the value and leaves the end offset in `varintEnd`, so the hot loops that
 * call it allocate nothing.
 */
export let varintEnd = 0;

export function readVarint(bytes: Uint8Array, offset: number): number {
  let byte = bytes[offset]!;
  if (byte < 0x80) {
    varintEnd = offset + 1;
    return byte;
  }
  let value = byte & 0x7f;
  for (let i = 1; i < 8; i++) {
    byte = bytes[offset + i]!;
    value = value * 128 + (byte & 0x7f);
    if (byte < 0x80) {
      varintEnd = offset + i + 1;
      return value;
    }
  }
  varintEnd = offset + 9;
  return value * 256 + bytes[offset + 8]!;
}

/** The sum of the varints in `bytes` from `start` up to `end`: FTS5's per-column token counts. */
export function sumVarints(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let sum = 0;
  for (let offset = start; offset < end; offset = varintEnd) sum += readVarint(bytes, offset);
  return sum;
}
