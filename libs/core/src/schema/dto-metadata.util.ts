import { getMetadataStorage, ValidationTypes } from 'class-validator';
import type { MetadataStorage as TransformerMetadataStorage } from 'class-transformer/types/MetadataStorage';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import type { ConstraintMetadata } from 'class-validator/types/metadata/ConstraintMetadata';
import { DtoMetadataMissingError } from './dto-metadata-missing.error';

/**
 * class-transformer's own metadata storage: the instance its `plainToInstance` reads `@Type()`
 * from. The package ships no typings beside its CommonJS build, hence the typed `require`.
 */
export const transformerStorage: TransformerMetadataStorage =
  require('class-transformer/cjs/storage').defaultMetadataStorage as TransformerMetadataStorage;

/** class-validator's global metadata storage. */
export const validatorStorage = getMetadataStorage();

/** Built-in constructors that a `@Type()` may name but that are not DTOs. */
const BUILT_INS = new Set<Function>([
  String,
  Number,
  Boolean,
  Symbol,
  BigInt,
  Date,
  Object,
  Array,
  Map,
  Set,
  RegExp,
  Promise,
]);

/** Whether `type` is a class that could carry class-validator metadata (not `String`, `Date`, ...). */
export const isDtoClass = (type: unknown): type is Function =>
  typeof type === 'function' && !BUILT_INS.has(type);

/**
 * Every class-validator metadata that applies to `dto`, its own and inherited, whatever the
 * groups, in registration order (own properties first, as class-validator returns them).
 */
export const getValidationMetadatas = (dto: Function): ValidationMetadata[] =>
  validatorStorage.getTargetValidationMetadatas(dto, '', true, false);

/** The constraint implementations behind a metadata (`isString`, a custom constraint, ...). */
export const getConstraints = (meta: ValidationMetadata): ConstraintMetadata[] =>
  meta.constraintCls ? validatorStorage.getTargetValidatorConstraints(meta.constraintCls) : [];

/** What a `@ValidateNested()` property holds, as class-transformer will build it. */
export type NestedTarget =
  /** One class (or a built-in such as `String` when `@Type()` names one). */
  | { kind: 'class'; type: Function }
  /** A discriminated union: `@Type(() => Base, { discriminator })`. */
  | {
      kind: 'union';
      property: string;
      subTypes: { name: string; type: Function }[];
      fallback?: Function;
    }
  /** The type function needs the value to decide: nothing is known before a call. */
  | { kind: 'dynamic' };

/**
 * Resolves the class behind a `@ValidateNested()` property from class-transformer's `@Type()`.
 *
 * @throws DtoMetadataMissingError when the property has no `@Type()`: class-transformer would
 * leave the value a plain object and class-validator would silently skip it.
 */
export function resolveNestedTarget(owner: Function, propertyName: string): NestedTarget {
  const typeMeta = transformerStorage.findTypeMetadata(owner, propertyName);
  if (!typeMeta) throw new DtoMetadataMissingError(owner, propertyName);
  let type: Function | undefined;
  try {
    type = typeMeta.typeFunction();
  } catch {
    type = undefined;
  }
  const discriminator = typeMeta.options?.discriminator;
  if (discriminator?.property && discriminator.subTypes?.length) {
    return {
      kind: 'union',
      property: discriminator.property,
      subTypes: discriminator.subTypes.map(({ name, value }) => ({ name, type: value })),
      fallback: type,
    };
  }
  return typeof type === 'function' ? { kind: 'class', type } : { kind: 'dynamic' };
}

/** The DTO classes that a nested target can produce. */
export const classesOf = (target: NestedTarget): Function[] => {
  if (target.kind === 'class') return isDtoClass(target.type) ? [target.type] : [];
  if (target.kind === 'union') return target.subTypes.map((s) => s.type).filter(isDtoClass);
  return [];
};

/** What {@link inspectDto} learnt about a DTO and every DTO nested in it. */
export interface DtoGraph {
  /** The root and every nested DTO class, root first. */
  classes: Function[];
  /** Whether any constraint of any class is asynchronous (then only `validate()` checks it). */
  async: boolean;
}

/**
 * Walks a DTO and its nested DTOs once and checks that each can be validated.
 *
 * @throws DtoMetadataMissingError when a class has no class-validator metadata, or when a
 * `@ValidateNested()` property has no `@Type()`.
 */
export function inspectDto(dto: Function): DtoGraph {
  const classes: Function[] = [];
  const seen = new Set<Function>();
  let async = false;

  const visit = (cls: Function, usedBy?: string): void => {
    if (seen.has(cls)) return;
    seen.add(cls);
    const metas = getValidationMetadatas(cls);
    if (metas.length === 0) throw new DtoMetadataMissingError(cls, undefined, usedBy);
    classes.push(cls);
    for (const meta of metas) {
      if (meta.type === ValidationTypes.PROMISE_VALIDATION) async = true;
      if (getConstraints(meta).some((c) => c.async)) async = true;
      if (meta.type !== ValidationTypes.NESTED_VALIDATION) continue;
      for (const nested of classesOf(resolveNestedTarget(cls, meta.propertyName))) {
        visit(nested, `${cls.name}.${meta.propertyName}`);
      }
    }
  };

  visit(dto);
  return { classes, async };
}
