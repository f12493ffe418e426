import type { McpServers } from '@rampart/core';
import type { CallRecord } from '../recording/call-record.interface';
import type { Redactor } from './redactor';

/** Default of `audit.maxArgumentsChars` and `logging.maxArgumentsChars`: 8 KiB of JSON. */
export const DEFAULT_MAX_ARGUMENTS_CHARS = 8_192;

/** The least of a string value kept when it is cut, in characters. */
const MIN_CUT_CHARS = 32;

/** Appended to a string value that was cut. */
export const CUT_MARK = '…[TRUNCATED]';

/** What {@link boundArguments} left out of arguments longer than the bound. */
export interface ArgumentsTruncation {
  /** Length of the arguments' JSON before they were bounded, in characters. */
  jsonChars: number;
  /** Properties left out entirely. */
  omitted: number;
  /** String values kept only in part (ending with `…[TRUNCATED]`). */
  cut: number;
}

/** Arguments within the bound, and what was left out when they were not. */
export interface BoundedArguments {
  arguments: Record<string, unknown>;
  /** Absent when the arguments were within the bound and are kept whole. */
  truncated?: ArgumentsTruncation;
}

/**
 * `args` within about `maxChars` characters of JSON, for an audit record or a log line: a caller
 * chooses its arguments, and would otherwise choose the size of every record of its calls (up to
 * the body limit, 4 MB on Fastify), and could push the arguments that matter out of a bounded
 * record with junk of its own. So when the JSON is longer than `maxChars`, the properties the
 * tool or prompt declares come first (in `declared` order), then the others in the order sent;
 * each is kept whole while it fits, a string that does not fit is kept in part (at least 32
 * characters, ending with `…[TRUNCATED]`), and the rest are left out and counted.
 *
 * `args` must be a copy the caller owns (the redacted one): it is returned as is when it fits.
 *
 * @example
 * ```ts
 * boundArguments({ junk: 'x'.repeat(100_000), url: 'https://example.com' }, 1_000, () => ['url']);
 * // { arguments: { url: 'https://example.com', junk: 'xxx…[TRUNCATED]' },
 * //   truncated: { jsonChars: 100_039, omitted: 0, cut: 1 } }
 * ```
 */
export function boundArguments(
  args: Record<string, unknown>,
  maxChars: number,
  declared: () => readonly string[] = () => [],
): BoundedArguments {
  const jsonChars = jsonLength(args);
  if (jsonChars <= maxChars) return { arguments: args };
  const keys = Object.keys(args);
  const ordered = new Set([...declared().filter((key) => Object.hasOwn(args, key)), ...keys]);
  const kept: Record<string, unknown> = {};
  let used = 2; // {}
  let omitted = 0;
  let cut = 0;
  for (const key of ordered) {
    const value = args[key];
    // "key": value, (quotes, colon and comma)
    const overhead = jsonLength(key) + 2;
    const size = overhead + jsonLength(value);
    if (used + size <= maxChars) {
      define(kept, key, value);
      used += size;
      continue;
    }
    const part =
      typeof value === 'string' ? cutToFit(value, maxChars - used - overhead) : undefined;
    if (part === undefined) {
      omitted++;
      continue;
    }
    define(kept, key, part);
    used += overhead + jsonLength(part);
    cut++;
  }
  return { arguments: kept, truncated: { jsonChars, omitted, cut } };
}

/**
 * A call's arguments as an audit record or a log line keeps them: redacted, then bounded to
 * `maxChars` with the properties its tool or prompt declares first.
 */
export function recordedArguments(
  args: Readonly<Record<string, unknown>>,
  call: Pick<CallRecord, 'server' | 'method' | 'target'>,
  redactor: Redactor,
  maxChars: number,
  servers: McpServers | undefined,
): BoundedArguments {
  return boundArguments(redactor.redact({ ...args }), maxChars, () =>
    declaredArguments(servers, call),
  );
}

/**
 * Throws at boot when `maxArgumentsChars` of `owner` (`AuditOptions`, `LoggingOptions`) is not an
 * integer of at least 256 (room for the declared arguments of a call and a cut string).
 */
export function checkMaxArgumentsChars(owner: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isInteger(value) && value >= 256))
    throw new Error(`${owner}.maxArgumentsChars must be an integer of at least 256; got ${value}`);
}

/**
 * The properties a call's tool (`tools/call`: its input schema's `properties`) or prompt
 * (`prompts/get`: its `arguments`) declares, read from the server's registry; none for other
 * methods or when the server or entry is unknown.
 */
export function declaredArguments(
  servers: McpServers | undefined,
  call: { server: string; method: string; target?: string },
): readonly string[] {
  const registry = call.target === undefined ? undefined : servers?.find(call.server)?.registry;
  if (!registry || call.target === undefined) return [];
  if (call.method === 'tools/call') {
    const properties = registry.tools.get(call.target)?.definition.inputSchema.properties;
    return properties ? Object.keys(properties) : [];
  }
  if (call.method === 'prompts/get')
    return registry.prompts.get(call.target)?.definition.arguments?.map((a) => a.name) ?? [];
  return [];
}

/**
 * A start of `value` that, with {@link CUT_MARK}, takes at most `room` characters of JSON;
 * `undefined` when it would be shorter than 32 characters.
 */
function cutToFit(value: string, room: number): string | undefined {
  const target = room - 2 - CUT_MARK.length; // quotes and mark
  let length = Math.min(value.length, target);
  // Escapes (quotes, backslashes, control characters) make the JSON of a start longer than the
  // start: shrink in proportion until it fits.
  for (let tries = 0; length >= MIN_CUT_CHARS && tries < 8; tries++) {
    const json = jsonLength(value.slice(0, length)) - 2;
    if (json <= target) return `${value.slice(0, length)}${CUT_MARK}`;
    length = Math.floor((length * target) / json) - 1;
  }
  return undefined;
}

/** JSON length of a value; 0 for what JSON leaves out (`undefined`, functions). */
function jsonLength(value: unknown): number {
  return JSON.stringify(value)?.length ?? 0;
}

/** Sets `key` as an own property, even `__proto__` (which JSON.parse makes an own key). */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}
