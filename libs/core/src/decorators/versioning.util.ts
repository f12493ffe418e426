import type { DeprecationInfo, Versioned } from '../interfaces/primitive-options.interface';
import { DEPRECATED_META_KEY, VERSION_META_KEY } from '../mcp.constants';

/** `MAJOR` or `MAJOR.MINOR`, without leading zeros. */
const VERSION = /^(0|[1-9]\d*)(\.(0|[1-9]\d*))?$/;
const DEPRECATION_FIELDS: readonly (keyof DeprecationInfo)[] = ['since', 'reason', 'replacedBy'];

/**
 * What is wrong with the `version`, `deprecated` and `_meta` options of a primitive, or
 * `undefined` when nothing is. The decorators and the run-time `add*()` methods turn it into a
 * `McpDefinitionError` naming where the primitive was declared.
 */
export function versioningProblem(
  options: Versioned & { _meta?: Record<string, unknown> },
): string | undefined {
  const { version, deprecated, _meta } = options;
  if (version !== undefined) {
    const valid =
      typeof version === 'number'
        ? Number.isSafeInteger(version) && version >= 0
        : typeof version === 'string' && VERSION.test(version);
    if (!valid)
      return `"version" must be MAJOR or MAJOR.MINOR (e.g. '2', '2.1' or 2), got ${JSON.stringify(version)}`;
  }
  if (deprecated !== undefined && typeof deprecated !== 'boolean') {
    if (!deprecated || typeof deprecated !== 'object' || Array.isArray(deprecated))
      return `"deprecated" must be a boolean or { since?, reason?, replacedBy? }, got ${JSON.stringify(deprecated)}`;
    for (const [key, value] of Object.entries(deprecated)) {
      if (!DEPRECATION_FIELDS.includes(key as keyof DeprecationInfo))
        return `"deprecated.${key}" is not an option: use ${DEPRECATION_FIELDS.join(', ')}`;
      if (value !== undefined && (typeof value !== 'string' || !value.trim()))
        return `"deprecated.${key}" must be a non-empty string, got ${JSON.stringify(value)}`;
    }
  }
  for (const key of [VERSION_META_KEY, DEPRECATED_META_KEY])
    if (_meta && key in _meta)
      return `"_meta" must not set "${key}": use the "${key === VERSION_META_KEY ? 'version' : 'deprecated'}" option`;
  return undefined;
}

/**
 * The `_meta` of a primitive's definition in the lists: the options' own `_meta` plus the
 * version (a string) and the deprecation (an object, `{}` for `true`); `undefined` when empty.
 */
export function definitionMeta(
  options: Versioned & { _meta?: Record<string, unknown> },
): Record<string, unknown> | undefined {
  const { version, deprecated, _meta } = options;
  const meta: Record<string, unknown> = { ..._meta };
  if (version !== undefined) meta[VERSION_META_KEY] = String(version);
  if (deprecated) {
    const info: DeprecationInfo = {};
    if (typeof deprecated === 'object')
      for (const key of DEPRECATION_FIELDS)
        if (deprecated[key] !== undefined) info[key] = deprecated[key];
    meta[DEPRECATED_META_KEY] = info;
  }
  return Object.keys(meta).length ? meta : undefined;
}

const TASK_SUPPORT: readonly string[] = ['forbidden', 'optional', 'required'];

/** What is wrong with the `execution` option of a tool, or `undefined` when nothing is. */
export function executionProblem(execution: unknown): string | undefined {
  if (execution === undefined) return undefined;
  if (!execution || typeof execution !== 'object' || Array.isArray(execution))
    return `"execution" must be an object such as { taskSupport: 'optional' }, got ${JSON.stringify(execution)}`;
  for (const [key, value] of Object.entries(execution)) {
    if (key !== 'taskSupport') return `"execution.${key}" is not an option: use taskSupport`;
    if (value !== undefined && !TASK_SUPPORT.includes(value as string))
      return `"execution.taskSupport" must be one of ${TASK_SUPPORT.map((v) => `'${v}'`).join(', ')}, got ${JSON.stringify(value)}`;
  }
  return undefined;
}
