import type { Type } from '@nestjs/common';
import { plainToInstance, type ClassTransformOptions } from 'class-transformer';
import {
  validate,
  validateSync,
  type ValidationArguments,
  type ValidationError,
  type ValidatorOptions,
} from 'class-validator';
import type { ConstraintMetadata } from 'class-validator/types/metadata/ConstraintMetadata';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import { isPromiseLike } from '../hooks/maybe-promise';
import { getConstraints, getValidationMetadatas, inspectDto } from './dto-metadata.util';
import { ARGUMENTS_NOT_AN_OBJECT } from './schema-messages.constant';
import { validationFailure } from './validation-failure';
import type {
  FieldIssue,
  ValidationFailure,
  ValidationResult,
} from './validation-result.interface';

/**
 * A compiled DTO validator: turns a tool call's `arguments` into a DTO instance, or into issues.
 *
 * When no constraint of the DTO (or of a nested DTO) is asynchronous, `async` is `false` and
 * every call returns its result synchronously: no Promise, no microtask. Otherwise `async` is
 * `true` and every call returns a Promise. `await validator(args)` is right in both cases; a hot
 * path can test `validator.async` once, at boot, and skip the `await` when it is `false`.
 *
 * @example
 * const validateScrape = compileDtoValidator(ScrapeUrlInput);
 * const result = await validateScrape({ url: 'https://example.com' });
 * if (result.ok) result.value; // a ScrapeUrlInput instance
 */
export interface DtoValidator<T> {
  (args: unknown): ValidationResult<T> | Promise<ValidationResult<T>>;
  /** Whether calls return a Promise (some constraint is asynchronous). */
  readonly async: boolean;
  /** The DTO class it validates. */
  readonly dto: Type<T>;
}

/** class-transformer options: no implicit conversion, so `"5"` stays a string for `@IsInt()`. */
const TRANSFORM_OPTIONS: ClassTransformOptions = { enableImplicitConversion: false };

/**
 * class-validator options: undeclared properties are stripped from the value, not reported;
 * `value` and `target` are kept in errors to locate failing elements of arrays.
 */
const VALIDATOR_OPTIONS: ValidatorOptions = {
  whitelist: true,
  forbidNonWhitelisted: false,
  forbidUnknownValues: false,
  validationError: { target: true, value: true },
};

/** A constraint declared with `each: true`, to find which elements of a collection failed. */
interface EachCheck {
  meta: ValidationMetadata;
  constraint: ConstraintMetadata;
}

/** DTO class → property → constraint name → the `each: true` checks behind that name. */
type EachChecks = Map<Function, Map<string, Map<string, EachCheck[]>>>;

/** Indexes the `each: true` constraints of every class of a DTO graph, once. */
function indexEachChecks(classes: Function[]): EachChecks {
  const index: EachChecks = new Map();
  for (const cls of classes) {
    const byProperty = new Map<string, Map<string, EachCheck[]>>();
    for (const meta of getValidationMetadatas(cls)) {
      if (!meta.each) continue;
      for (const constraint of getConstraints(meta)) {
        // The key class-validator reports the failure under (`ValidationError.constraints`).
        const name = constraint.name || meta.type;
        const byName = byProperty.get(meta.propertyName) ?? new Map<string, EachCheck[]>();
        byName.set(name, [...(byName.get(name) ?? []), { meta, constraint }]);
        byProperty.set(meta.propertyName, byName);
      }
    }
    if (byProperty.size > 0) index.set(cls, byProperty);
  }
  return index;
}

/**
 * The indexes of the elements that failed an `each: true` constraint, found by running the
 * constraint on each element as class-validator does; `undefined` when they cannot be found
 * synchronously (then the issue stays on the collection).
 */
function failingElements(
  error: ValidationError,
  constraintName: string,
  checks: EachChecks,
): number[] | undefined {
  const object = error.target as Record<string, unknown> | undefined;
  const collection = error.value as unknown;
  if (!object || !(Array.isArray(collection) || collection instanceof Set)) return undefined;
  const found = checks.get(object.constructor)?.get(error.property)?.get(constraintName);
  if (!found) return undefined;
  const elements = [...collection];
  const failing = new Set<number>();
  try {
    for (const { meta, constraint } of found) {
      if (meta.validateIf && !meta.validateIf(object, collection)) continue;
      const args: ValidationArguments = {
        targetName: object.constructor.name,
        property: meta.propertyName,
        object,
        value: collection,
        constraints: meta.constraints,
      };
      for (let i = 0; i < elements.length; i++) {
        const valid: unknown = constraint.instance.validate(elements[i], args);
        if (isPromiseLike(valid)) return undefined;
        if (!valid) failing.add(i);
      }
    }
  } catch {
    return undefined;
  }
  return failing.size > 0 ? [...failing].sort((a, b) => a - b) : undefined;
}

/** Appends a property (or an index, under a collection) to a path. */
function childPath(parent: string, key: string, parentValue: unknown): string {
  if (Array.isArray(parentValue) || parentValue instanceof Set) return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : key;
}

/**
 * Most properties of one object in the arguments of a DTO tool. class-transformer's
 * `plainToInstance` removes duplicate keys of each object with an `indexOf` per key, in time
 * quadratic in the object's keys: one object of 96,000 junk keys (800 KB) took 5.6 s, 4 MB
 * minutes, before validation (which strips undeclared properties) could refuse anything. A DTO
 * declares a few properties; a `Record`-typed property of more entries than this is refused too
 * (declare such a tool's input with a JSON Schema or zod, which are linear).
 */
export const MAX_DTO_OBJECT_KEYS = 1_000;

/** The issue of an object in `input` with more than {@link MAX_DTO_OBJECT_KEYS} keys. */
function crowdedObject(input: object): ValidationFailure | undefined {
  // Iterative (the dispatcher bounds the depth, not this walk), and without building a path
  // per value: the path is looked for only when an object is refused.
  const stack: object[] = [input];
  while (stack.length) {
    const value = stack.pop()!;
    const children: unknown[] = Array.isArray(value) ? value : Object.values(value);
    if (!Array.isArray(value) && children.length > MAX_DTO_OBJECT_KEYS) {
      const path = pathTo(input, value);
      return {
        ok: false,
        issues: [
          {
            path,
            message: `${path || 'arguments'} has ${children.length} properties; at most ${MAX_DTO_OBJECT_KEYS} are accepted`,
            constraint: 'maxProperties',
          },
        ],
      };
    }
    for (const child of children)
      if (child !== null && typeof child === 'object') stack.push(child);
  }
  return undefined;
}

/** The path of `target` inside `root` (`a.b[2]`; `''` for the root itself). */
function pathTo(root: object, target: object): string {
  const stack: [object, string][] = [[root, '']];
  while (stack.length) {
    const [value, path] = stack.pop()!;
    if (value === target) return path;
    const entries: [string, unknown][] = Array.isArray(value)
      ? value.map((v, i) => [`${path}[${i}]`, v])
      : Object.entries(value).map(([k, v]) => [path ? `${path}.${k}` : k, v]);
    for (const [childPath, child] of entries)
      if (child !== null && typeof child === 'object') stack.push([child, childPath]);
  }
  return '';
}

/** Flattens class-validator's error tree into issues with paths. */
function collectIssues(
  errors: ValidationError[],
  checks: EachChecks,
  issues: FieldIssue[] = [],
  parentPath = '',
  parentValue?: unknown,
): FieldIssue[] {
  for (const error of errors) {
    const path = childPath(parentPath, error.property, parentValue);
    for (const [constraint, message] of Object.entries(error.constraints ?? {})) {
      const indexes = failingElements(error, constraint, checks);
      if (indexes) {
        for (const i of indexes) issues.push({ path: `${path}[${i}]`, message, constraint });
      } else {
        issues.push({ path, message, constraint });
      }
    }
    if (error.children?.length) collectIssues(error.children, checks, issues, path, error.value);
  }
  return issues;
}

/** How a non-object value is named in {@link ARGUMENTS_NOT_AN_OBJECT}. */
function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  const type = typeof value;
  return type === 'object' ? 'an object' : `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}

/** Whether arguments can be turned into a DTO: an object, not null, not an array. */
const isJsonObject = (args: unknown): args is object =>
  typeof args === 'object' && args !== null && !Array.isArray(args);

/** The one issue of arguments that are not a JSON object. */
function notAnObject(args: unknown): ValidationFailure {
  return {
    ok: false,
    issues: [
      { path: '', message: ARGUMENTS_NOT_AN_OBJECT(describeValue(args)), constraint: 'isObject' },
    ],
  };
}

/**
 * Compiles the validator of a class-validator DTO, once, at boot: it walks the DTO and its
 * nested DTOs, checks their metadata, learns whether any constraint is asynchronous and indexes
 * the `each: true` constraints, so that a call only transforms and validates.
 *
 * A call turns the arguments into a DTO instance with class-transformer's `plainToInstance`
 * (no implicit conversion) and checks it with class-validator (`validateSync`, or `validate`
 * when the DTO has asynchronous constraints): `whitelist` strips undeclared properties from the
 * value without reporting them. Issues carry paths such as `address.city`, `items[0].sku` or
 * `tags[1]` (an element that failed an `each: true` constraint).
 *
 * Arguments that are not a JSON object (null, an array, a string, ...) give one issue at path
 * `''`; `undefined` counts as `{}`. A call never throws for bad input; an exception thrown by
 * the DTO's own `@Transform()` or by a custom constraint is not caught.
 *
 * @throws DtoMetadataMissingError when the DTO (or a nested DTO) has no class-validator
 * decorator, or a `@ValidateNested()` property has no `@Type()`.
 *
 * @example
 * class Address { @IsString() city!: string }
 * class Order {
 *   @ValidateNested() @Type(() => Address) address!: Address;
 *   @IsArray() @IsString({ each: true }) tags!: string[];
 * }
 * const validateOrder = compileDtoValidator(Order); // validateOrder.async === false
 * validateOrder({ address: { city: 7 }, tags: ['a', 2] });
 * // { ok: false, issues: [
 * //   { path: 'address.city', message: 'city must be a string', constraint: 'isString' },
 * //   { path: 'tags[1]', message: 'each value in tags must be a string', constraint: 'isString' },
 * // ] }
 */
export function compileDtoValidator<T>(dto: Type<T>): DtoValidator<T> {
  const graph = inspectDto(dto);
  const checks = indexEachChecks(graph.classes);

  const toInstance = (args: object): T => plainToInstance(dto, args, TRANSFORM_OPTIONS) as T;
  const toResult = (value: T, errors: ValidationError[]): ValidationResult<T> =>
    errors.length === 0
      ? { ok: true, value }
      : validationFailure(collectIssues(errors, checks), (issue) => issue);

  const validator = graph.async
    ? async (args: unknown): Promise<ValidationResult<T>> => {
        const input = args === undefined ? {} : args;
        if (!isJsonObject(input)) return notAnObject(input);
        const crowded = crowdedObject(input);
        if (crowded) return crowded;
        const value = toInstance(input);
        return toResult(value, await validate(value as object, VALIDATOR_OPTIONS));
      }
    : (args: unknown): ValidationResult<T> => {
        const input = args === undefined ? {} : args;
        if (!isJsonObject(input)) return notAnObject(input);
        const crowded = crowdedObject(input);
        if (crowded) return crowded;
        const value = toInstance(input);
        return toResult(value, validateSync(value as object, VALIDATOR_OPTIONS));
      };

  return Object.assign(validator, { async: graph.async, dto });
}
