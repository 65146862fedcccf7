// The problem lines of Discord's 50035 answers (too long, required, bad length) that every
// validator builds, and the length Discord counts (code points, not UTF-16 units).
import type { FormProblem } from './errors';

export const tooLong = (path: string, max: number): FormProblem => ({
  path,
  code: 'BASE_TYPE_MAX_LENGTH',
  message: `Must be ${max} or fewer in length.`,
});
export const required = (path: string): FormProblem => ({
  path,
  code: 'BASE_TYPE_REQUIRED',
  message: 'This field is required',
});
export const badLength = (path: string, min: number, max: number): FormProblem => ({
  path,
  code: 'BASE_TYPE_BAD_LENGTH',
  message: `Must be between ${min} and ${max} in length.`,
});

export function len(s: unknown): number {
  return typeof s === 'string' ? [...s].length : 0;
}
