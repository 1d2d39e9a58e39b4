import { CliError, EXIT } from './errors.js';

/** A flag's value as a whole number within [min, max]; anything else is a usage error naming the flag. */
export function wholeNumber(value: string, flag: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `a whole number of at least ${min}` : `a whole number from ${min} to ${max}`;
    throw new CliError(`${flag} expects ${range}, got "${value}"`, EXIT.usage);
  }
  return n;
}
