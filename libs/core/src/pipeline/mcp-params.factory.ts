import type { ParamData } from '@nestjs/common';
import type { ParamsFactory } from '@nestjs/core';
import { McpParamType } from '../decorators/params.decorator';
import { InvalidArgumentsError } from '../errors/invalid-arguments.error';
import type { McpValidator, ValidationOutcome } from '../registry/registry.interfaces';

const pick = (value: unknown, key: string): unknown =>
  value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;

function unwrap(result: ValidationOutcome | Promise<ValidationOutcome>): unknown {
  if (result instanceof Promise) return result.then(unwrap);
  if (!result.ok) throw new InvalidArgumentsError(result.issues, result.totalIssues);
  return result.value;
}

const VALIDATED = Symbol('rampart.validatedArgs');

/**
 * Supplies `@Args()` and `@Ctx()` values to the Nest pipeline. The call's arguments are
 * validated here, at the pipes stage (after guards and interceptors), once per call.
 */
export class McpParamsFactory implements ParamsFactory {
  constructor(private readonly validator?: McpValidator) {}

  exchangeKeyForValue(type: number, data: ParamData, args: unknown[]): unknown {
    if (type === McpParamType.CONTEXT) return args[1];
    if (type !== McpParamType.ARGS) return undefined;
    const value = this.validated(args);
    if (!data) return value;
    // Nest awaits param values, so an async validation result can be returned as is.
    return value instanceof Promise
      ? value.then((v) => pick(v, data as string))
      : pick(value, data as string);
  }

  /**
   * Validates `args[0]` (synchronously unless the DTO has async constraints) and keeps the result
   * on the args array, so several `@Args()` parameters validate once.
   */
  validated(args: unknown[]): unknown {
    const holder = args as unknown[] & { [VALIDATED]?: unknown };
    if (VALIDATED in holder) return holder[VALIDATED];
    const value = this.validator ? unwrap(this.validator(args[0])) : args[0];
    holder[VALIDATED] = value;
    return value;
  }
}
