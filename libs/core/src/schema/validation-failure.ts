import { MAX_REPORTED_ISSUES } from '../errors/invalid-arguments.error';
import type { FieldIssue, ValidationFailure } from './validation-result.interface';

/**
 * The failure of a value with problems `found`: the first {@link MAX_REPORTED_ISSUES} as issues
 * (only those are made into issues), and how many there were when there were more.
 *
 * @example
 * validationFailure(ajvErrors, (error) => toIssue(error, value));
 */
export function validationFailure<T>(
  found: readonly T[],
  toIssue: (problem: T) => FieldIssue,
): ValidationFailure {
  const issues = found.slice(0, MAX_REPORTED_ISSUES).map(toIssue);
  return found.length > issues.length
    ? { ok: false, issues, totalIssues: found.length }
    : { ok: false, issues };
}
