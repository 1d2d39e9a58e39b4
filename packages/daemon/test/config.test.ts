import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DindexError } from '@dindex/protocol';
import { configKeys, envName, loadConfig } from '../src/config/load.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dx-config-'));
  file = path.join(dir, 'config.toml');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function configError(fn: () => unknown): DindexError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DindexError);
    expect((err as DindexError).code).toBe('CONFIG_INVALID');
    return err as DindexError;
  }
  throw new Error('expected a CONFIG_INVALID error');
}

describe('configuration', () => {
  it('uses the defaults when there is no file', () => {
    const config = loadConfig({ file, env: {}, overrides: [] });
    expect(config).toMatchObject({ log_level: 'info', socket_mode: 0o600, max_frame_bytes: 16 * 1024 * 1024, frame_timeout_ms: 10_000 });
  });

  it('layers file, then environment, then flags', () => {
    fs.writeFileSync(file, 'log_level = "warn"\nmax_connections = 10\nframe_timeout_ms = 500\nsocket_mode = "0660"\n');
    const config = loadConfig({
      file,
      env: { DINDEX_MAX_CONNECTIONS: '20', DINDEX_FRAME_TIMEOUT_MS: '700' },
      overrides: [['frame_timeout_ms', '900']],
    });
    expect(config).toMatchObject({ log_level: 'warn', max_connections: 20, frame_timeout_ms: 900, socket_mode: 0o660 });
  });

  it('derives an environment variable for every key', () => {
    expect(configKeys()).toContain('max_inflight_per_connection');
    expect(envName('max_inflight_per_connection')).toBe('DINDEX_MAX_INFLIGHT_PER_CONNECTION');
    expect(envName('index.batch_size')).toBe('DINDEX_INDEX_BATCH_SIZE');
  });

  it('names the key and the file for a value of the wrong type', () => {
    fs.writeFileSync(file, 'max_connections = "many"\n');
    const err = configError(() => loadConfig({ file, env: {}, overrides: [] }));
    expect(err.message).toContain('"max_connections"');
    expect(err.message).toContain(file);
  });

  it('names the variable for a bad environment value', () => {
    const err = configError(() => loadConfig({ file, env: { DINDEX_LOG_LEVEL: 'loud' }, overrides: [] }));
    expect(err.message).toContain('"log_level"');
    expect(err.message).toContain('DINDEX_LOG_LEVEL');
  });

  it('rejects unknown keys instead of ignoring a typo', () => {
    fs.writeFileSync(file, 'max_conections = 3\n');
    const err = configError(() => loadConfig({ file, env: {}, overrides: [] }));
    expect(err.message).toContain('unknown key "max_conections"');
  });

  it('reports broken TOML with its position', () => {
    fs.writeFileSync(file, 'log_level = "info\n');
    const err = configError(() => loadConfig({ file, env: {}, overrides: [] }));
    expect(err.message).toMatch(/not valid TOML/);
  });

  it('rejects out-of-range values', () => {
    const err = configError(() => loadConfig({ file, env: {}, overrides: [['max_frame_bytes', '10']] }));
    expect(err.message).toContain('"max_frame_bytes"');
  });
});
