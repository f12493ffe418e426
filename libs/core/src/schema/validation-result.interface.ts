/**
 * One problem found in a value, tied to the field it concerns.
 *
 * @example
 * { path: 'address.city', message: 'city must be a string', constraint: 'isString' }
 * { path: 'tags[1]', message: 'each value in tags must be a string', constraint: 'isString' }
 */
export interface FieldIssue {
  /**
   * Where the problem is: property names joined with `.`, array indexes as `[i]`
   * (`address.city`, `tags[1]`, `items[0].sku`). `''` is the value itself.
   */
  path: string;
  /** A sentence for the model or the user, e.g. `url must be a URL address`. */
  message: string;
  /**
   * The rule that failed: a class-validator constraint name (`isString`, `min`,
   * `nestedValidation`, ...) or a JSON Schema keyword (`type`, `required`, `format`, ...).
   */
  constraint: string;
}

/** A value that passed validation, transformed where the schema says so (a DTO instance). */
export interface ValidationSuccess<T> {
  ok: true;
  value: T;
}

/** A value that failed validation, with the problems found. */
export interface ValidationFailure {
  ok: false;
  /** At least one issue; the first `MAX_REPORTED_ISSUES` (20) when there were more. */
  issues: FieldIssue[];
  /** How many issues were found, when `issues` holds only the first ones. */
  totalIssues?: number;
}

/**
 * The result of checking a value against a DTO or a JSON Schema: check `ok` to narrow it.
 *
 * @example
 * const result = validate(args);
 * if (!result.ok) return toInvalidArguments(result.issues);
 * use(result.value);
 */
export type ValidationResult<T> = ValidationSuccess<T> | ValidationFailure;
