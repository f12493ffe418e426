import type { IncomingHttpHeaders } from 'node:http';
import { decodeHeaderValue, trimOws } from './standard-headers';

/** JSON Schema keyword that mirrors a tool argument into an `Mcp-Param-<Name>` header. */
export const X_MCP_HEADER = 'x-mcp-header';

/** One argument mirrored into a header. */
export interface ParamHeader {
  /** Path of the argument, through `properties`. */
  path: string[];
  /** Lower-cased header name (`mcp-param-<name>`), as Node presents it. */
  header: string;
  /** The declared `Mcp-Param-<Name>`, for messages. */
  display: string;
  /** Declared JSON type of the argument. */
  type?: string;
}

const CANONICAL_DECIMAL = /^-?\d+(\.\d+)?$/;

/**
 * The `x-mcp-header` declarations of a tool's input schema (SEP-2243): properties reachable
 * from the root through `properties` only, whose value the client repeats in an
 * `Mcp-Param-<Name>` header so that gateways can route on it.
 *
 * @example
 * ```ts
 * class QueryInput {
 *   @JSONSchema({ 'x-mcp-header': 'Region' }) @IsString() region!: string;
 * }
 * ```
 */
export function paramHeadersOf(inputSchema: unknown): ParamHeader[] {
  const found: ParamHeader[] = [];
  const visit = (node: unknown, path: string[]): void => {
    if (!node || typeof node !== 'object') return;
    const schema = node as Record<string, unknown>;
    const name = schema[X_MCP_HEADER];
    if (path.length > 0 && typeof name === 'string' && name.length > 0)
      found.push({
        path,
        header: `mcp-param-${name.toLowerCase()}`,
        display: `Mcp-Param-${name}`,
        type: typeof schema.type === 'string' ? schema.type : undefined,
      });
    const properties = schema.properties;
    if (properties && typeof properties === 'object')
      for (const [key, child] of Object.entries(properties)) visit(child, [...path, key]);
  };
  visit(inputSchema, []);
  return found;
}

/**
 * Checks the `Mcp-Param-*` headers of a `tools/call` against its arguments: when an argument
 * mirrored into a header has a value, the header must be there and decode (`=?base64?…?=`
 * or literal) to the same value; numbers compare numerically. Returns the problem, or
 * `undefined`.
 */
export function checkParamHeaders(
  declared: readonly ParamHeader[],
  args: unknown,
  headers: IncomingHttpHeaders,
): string | undefined {
  for (const param of declared) {
    const body = valueAt(args, param.path);
    const expected = primitiveToString(body);
    if (expected === undefined) continue;
    const raw = headers[param.header];
    const value = Array.isArray(raw) ? raw[0] : raw;
    const argument = `arguments.${param.path.join('.')}`;
    if (value === undefined)
      return `the body carries ${argument}=${JSON.stringify(body)} but the ${param.display} header is absent`;
    const decoded = decodeHeaderValue(trimOws(value));
    if (decoded === undefined) return `the ${param.display} header carries an invalid Base64 value`;
    const numeric =
      (param.type === 'integer' || param.type === 'number') &&
      typeof body === 'number' &&
      CANONICAL_DECIMAL.test(decoded);
    if (numeric ? Number(decoded) !== body : decoded !== expected)
      return `the ${param.display} header decodes to ${JSON.stringify(decoded)} but the body carries ${argument}=${JSON.stringify(body)}`;
  }
  return undefined;
}

function valueAt(root: unknown, path: readonly string[]): unknown {
  let node = root;
  for (const key of path) {
    if (!node || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** The header form of a primitive argument; `undefined` for values no header carries. */
function primitiveToString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}
