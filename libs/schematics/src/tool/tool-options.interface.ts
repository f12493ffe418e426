import type { PrimitivePartOptions } from '../utils/part-options.interface';

/**
 * Options of `nest g -c @rampart/schematics tool NAME`.
 *
 * @example
 * nest g -c @rampart/schematics tool search-docs --description "Search the docs"
 */
export interface ToolOptions extends PrimitivePartOptions {
  /**
   * Put `@RateLimit` and `@Timeout` from `@rampart/resilience` on the tool.
   * @default whether the project depends on @rampart/resilience
   */
  resilience?: boolean;
}
