/** JSON-RPC error code of a header that disagrees with the body (2026-07-28). */
export const HEADER_MISMATCH = -32020;

/** The request headers that mirror the body on 2026-07-28 (SEP-2243), already trimmed. */
export interface StandardHeaders {
  protocolVersion?: string;
  method?: string;
  name?: string;
}

/** Which `params` field the `Mcp-Name` header mirrors, per method. */
const NAME_SOURCE: Readonly<Record<string, string>> = {
  'tools/call': 'name',
  'prompts/get': 'name',
  'resources/read': 'uri',
  'tasks/get': 'taskId',
  'tasks/update': 'taskId',
  'tasks/cancel': 'taskId',
};

const BASE64_PREFIX = '=?base64?';
const BASE64_SUFFIX = '?=';
const BASE64_CANONICAL = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * `value` without the optional white space (spaces and tabs, RFC 9110) around it.
 *
 * A loop, not `value.replace(/^[ \t]+|[ \t]+$/g, '')`: that pattern tries `[ \t]+$` from every
 * position of a run of white space inside the value and scans the rest of the run each time, so
 * one 16 KB header of `a`, spaces, `a` cost about 100 ms of the event loop, before authentication
 * for a GET. Not `String.prototype.trim()`, which also strips other white space (`\v`, U+00A0).
 */
export function trimOws(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && isOws(value.charCodeAt(start))) start++;
  while (end > start && isOws(value.charCodeAt(end - 1))) end--;
  return start === 0 && end === value.length ? value : value.slice(start, end);
}

/** A space or a horizontal tab. */
function isOws(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/**
 * Decodes a header value that may carry the `=?base64?…?=` sentinel (for values that are not
 * plain ASCII). Returns `undefined` when the sentinel wraps something that is not canonical
 * Base64 of UTF-8 text; a value without the full sentinel is taken literally.
 */
export function decodeHeaderValue(value: string): string | undefined {
  if (!value.startsWith(BASE64_PREFIX) || !value.endsWith(BASE64_SUFFIX)) return value;
  const b64 = value.slice(BASE64_PREFIX.length, value.length - BASE64_SUFFIX.length);
  if (!BASE64_CANONICAL.test(b64)) return undefined;
  try {
    return UTF8.decode(Buffer.from(b64, 'base64'));
  } catch {
    return undefined;
  }
}

/**
 * The SEP-2243 checks of a 2026-07-28 request that the SDK's classifier leaves to the HTTP
 * entry: `MCP-Protocol-Version` and `Mcp-Method` must be present, and `Mcp-Name` must be present
 * and equal to the body's name or URI for the methods that route by it. (The classifier already
 * rejects a version or method header that disagrees with the body.) Returns the problem, or
 * `undefined` when the headers are fine.
 */
export function checkStandardHeaders(
  headers: StandardHeaders,
  method: string,
  params: unknown,
): string | undefined {
  if (headers.protocolVersion === undefined)
    return 'the required MCP-Protocol-Version header is absent';
  if (headers.method === undefined)
    return `the body names method ${method} but the required Mcp-Method header is absent`;
  const field = Object.hasOwn(NAME_SOURCE, method) ? NAME_SOURCE[method] : undefined;
  if (field === undefined) return undefined;
  const raw =
    params && typeof params === 'object' ? (params as Record<string, unknown>)[field] : undefined;
  const bodyValue = typeof raw === 'string' ? raw : undefined;
  if (headers.name === undefined)
    return bodyValue === undefined
      ? undefined
      : `the body carries params.${field}="${bodyValue}" but the required Mcp-Name header is absent`;
  const decoded = decodeHeaderValue(headers.name);
  if (decoded === undefined) return 'the Mcp-Name header carries an invalid Base64 value';
  if (bodyValue !== undefined && decoded !== bodyValue)
    return `the body carries params.${field}="${bodyValue}" but the Mcp-Name header names "${decoded}"`;
  return undefined;
}
