import fs from 'node:fs';
import { parse as parseToml } from 'smol-toml';
import { z } from 'zod';
import { DindexError } from '@dindex/protocol';
import { ConfigSchema, type Config } from './schema.js';

type RawConfig = Record<string, unknown>;

export interface ConfigSources {
  /** Path of the TOML file; a missing file means defaults. */
  file: string;
  env: Record<string, string | undefined>;
  /** `key.path=value` pairs from `--set` and dedicated flags. */
  overrides: Array<[string, string]>;
}

/** Loads and validates the configuration; throws CONFIG_INVALID naming the key and its source. */
export function loadConfig(sources: ConfigSources): Config {
  const raw: RawConfig = readFile(sources.file);
  const origin = new Map<string, string>();
  for (const key of Object.keys(raw)) origin.set(key, sources.file);

  for (const key of configKeys()) {
    const value = sources.env[envName(key)];
    if (value === undefined || value === '') continue;
    setPath(raw, key, coerce(value));
    origin.set(key, `environment variable ${envName(key)}`);
  }
  for (const [key, value] of sources.overrides) {
    setPath(raw, key, coerce(value));
    origin.set(key, `flag for ${key}`);
  }

  const result = ConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  const messages = result.error.issues.map((issue) => describeIssue(issue, origin, sources.file));
  throw new DindexError('CONFIG_INVALID', `invalid configuration: ${messages.join('; ')}`, {
    issues: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
  });
}

/** Every settable key as a dotted path, derived from the defaults so it never drifts. */
export function configKeys(): string[] {
  const keys: string[] = [];
  const walk = (value: unknown, prefix: string): void => {
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [k, v] of Object.entries(value)) walk(v, prefix ? `${prefix}.${k}` : k);
    } else keys.push(prefix);
  };
  walk(ConfigSchema.parse({}), '');
  return keys;
}

/** `index.batch_size` → `DINDEX_INDEX_BATCH_SIZE`. */
export function envName(key: string): string {
  return `DINDEX_${key.replaceAll('.', '_').toUpperCase()}`;
}

function readFile(file: string): RawConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new DindexError('CONFIG_INVALID', `cannot read config file ${file}: ${(err as Error).message}`);
  }
  try {
    return parseToml(text) as RawConfig;
  } catch (err) {
    throw new DindexError('CONFIG_INVALID', `config file ${file} is not valid TOML: ${(err as Error).message}`);
  }
}

function coerce(value: string): unknown {
  // A leading zero marks an octal mode ("0660"), which the schema reads from the string.
  if (/^-?\d+(\.\d+)?$/.test(value) && !/^0\d/.test(value)) return Number(value);
  if (value === 'true' || value === 'false') return value === 'true';
  return value;
}

function setPath(target: RawConfig, key: string, value: unknown): void {
  const parts = key.split('.');
  let node = target;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (!next || typeof next !== 'object') node[part] = {};
    node = node[part] as RawConfig;
  }
  node[parts.at(-1)!] = value;
}

function describeIssue(issue: z.core.$ZodIssue, origin: Map<string, string>, file: string): string {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const where = path.length ? `${path.join('.')}.` : '';
    return issue.keys.map((k) => `unknown key "${where}${k}" (in ${origin.get(`${where}${k}`) ?? file})`).join('; ');
  }
  const key = path.join('.');
  return `"${key}": ${issue.message} (from ${origin.get(key) ?? origin.get(path[0] ?? '') ?? 'defaults'})`;
}
