import { McpDefinitionError } from '../errors/mcp-definition.error';
import { DTO_METADATA_MISSING, NESTED_TYPE_MISSING } from './schema-messages.constant';

const BRAND = Symbol.for('rampart.DtoMetadataMissingError');

/**
 * A DTO cannot describe or validate arguments because metadata is missing, found at boot:
 * either the class has no class-validator decorator at all, or one of its properties has
 * `@ValidateNested()` without class-transformer's `@Type()`.
 *
 * It is a {@link McpDefinitionError}: `isMcpDefinitionError()` is true for it as well.
 *
 * @example
 * class Empty {
 *   url!: string; // no decorator
 * }
 * buildInputSchema(Empty); // throws DtoMetadataMissingError: "DTO Empty has no class-validator metadata. ..."
 */
export class DtoMetadataMissingError extends McpDefinitionError {
  readonly [BRAND] = true;

  constructor(
    /** The class whose metadata is missing. */
    readonly dto: Function,
    /** The property that has `@ValidateNested()` but no `@Type()`, when that is the problem. */
    readonly property?: string,
    /** Where a nested DTO without metadata is used, e.g. `CreateOrder.address`. */
    readonly usedBy?: string,
  ) {
    super(
      property === undefined
        ? DTO_METADATA_MISSING(dto.name || 'anonymous class', usedBy)
        : NESTED_TYPE_MISSING(dto.name || 'anonymous class', property),
    );
  }
}

/**
 * Whether `e` is a {@link DtoMetadataMissingError}, across copies of the package.
 *
 * @example
 * try { buildInputSchema(dto) } catch (e) { if (isDtoMetadataMissingError(e)) log(e.dto.name) }
 */
export const isDtoMetadataMissingError = (e: unknown): e is DtoMetadataMissingError =>
  !!e && typeof e === 'object' && (e as Record<symbol, unknown>)[BRAND] === true;
