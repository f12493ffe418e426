import { INVALID_MODULE_OPTION } from './errors/messages.constant';
import { ResourcesDefinitionError } from './errors/resources-definition.error';
import type {
  OffloadOptions,
  ResourcesModuleOptions,
} from './interfaces/resources-module-options.interface';
import { RESOURCES_DEFAULTS } from './resources.constants';
import { resolveLimits } from './storage/store-limits';

/** The module options the services read, with their defaults. */
export interface ResolvedResourcesOptions {
  ttlMs: number;
  offload: Required<Omit<OffloadOptions, 'name'>>;
  sharingScope?: string;
  anonymous: 'refuse' | 'allow';
}

/** Injection token of the {@link ResolvedResourcesOptions}. */
export const RESOLVED_RESOURCES_OPTIONS = Symbol.for('rampart:resources-resolved-options');

const positive = (value: unknown): boolean => Number.isSafeInteger(value) && (value as number) > 0;

/**
 * The problems of offload options, as `field: problem` strings (none when they are fine).
 *
 * @example
 * ```ts
 * offloadProblems({ previewChars: -1 }); // ['previewChars: must be an integer of 0 or more, got -1']
 * ```
 */
export function offloadProblems(options: OffloadOptions | undefined): string[] {
  if (options === undefined) return [];
  if (!options || typeof options !== 'object') return ['must be an object'];
  const problems: string[] = [];
  const { thresholdBytes, previewChars, mimeType, ttlMs, name } = options;
  if (
    thresholdBytes !== undefined &&
    !(Number.isSafeInteger(thresholdBytes) && thresholdBytes >= 0)
  )
    problems.push(`thresholdBytes: must be an integer of 0 or more, got ${String(thresholdBytes)}`);
  if (previewChars !== undefined && !(Number.isSafeInteger(previewChars) && previewChars >= 0))
    problems.push(`previewChars: must be an integer of 0 or more, got ${String(previewChars)}`);
  if (mimeType !== undefined && !/^[\w.+-]+\/[\w.+-]+/.test(String(mimeType)))
    problems.push(`mimeType: must be a media type such as text/plain, got ${String(mimeType)}`);
  if (ttlMs !== undefined && !positive(ttlMs))
    problems.push(`ttlMs: must be a positive integer (milliseconds), got ${String(ttlMs)}`);
  if (name !== undefined && (typeof name !== 'string' || !name.trim()))
    problems.push('name: must be a non-empty string');
  return problems;
}

/** Checks the module options and fills in the defaults; throws a `ResourcesDefinitionError`. */
export function resolveResourcesOptions(
  options: ResourcesModuleOptions = {},
): ResolvedResourcesOptions {
  const fail = (path: string, problem: string) => {
    throw new ResourcesDefinitionError(INVALID_MODULE_OPTION(path, problem));
  };
  const ttlMs = options.ttlMs ?? RESOURCES_DEFAULTS.ttlMs;
  if (!positive(ttlMs)) fail('ttlMs', `must be a positive integer (milliseconds), got ${ttlMs}`);
  const [problem] = offloadProblems(options.offload);
  if (problem) fail(`offload.${problem.split(':')[0]}`, problem.slice(problem.indexOf(':') + 2));
  if (options.anonymous !== undefined && !['refuse', 'allow'].includes(options.anonymous))
    fail('anonymous', `must be 'refuse' or 'allow', got ${String(options.anonymous)}`);
  if (
    options.sharingScope !== undefined &&
    (typeof options.sharingScope !== 'string' || !options.sharingScope.trim())
  )
    fail('sharingScope', 'must be a non-empty string');
  if (options.sweepIntervalMs !== undefined && !positive(options.sweepIntervalMs))
    fail('sweepIntervalMs', `must be a positive integer, got ${options.sweepIntervalMs}`);
  // Checked here too, for a store of the user's, which ignores them: a bad value is still a mistake.
  resolveLimits({ maxBytes: options.maxBytes, maxEntryBytes: options.maxEntryBytes });
  const storage = options.storage;
  if (
    storage !== undefined &&
    storage !== 'memory' &&
    (typeof storage !== 'object' || storage === null)
  )
    fail('storage', "must be 'memory', { redis }, or a ResourceStore");
  return {
    ttlMs,
    offload: {
      thresholdBytes: options.offload?.thresholdBytes ?? RESOURCES_DEFAULTS.thresholdBytes,
      previewChars: options.offload?.previewChars ?? RESOURCES_DEFAULTS.previewChars,
      mimeType: options.offload?.mimeType ?? RESOURCES_DEFAULTS.mimeType,
      ttlMs: options.offload?.ttlMs ?? ttlMs,
    },
    ...(options.sharingScope !== undefined && { sharingScope: options.sharingScope }),
    anonymous: options.anonymous ?? 'refuse',
  };
}
