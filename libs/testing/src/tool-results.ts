/** The parts of a `CallToolResult` the helpers read. */
interface ToolResultLike {
  content?: unknown;
  isError?: boolean;
}

/** The structured body of a failed tool call, as Rampart sends it. */
export interface ToolErrorBody {
  code: string;
  message: string;
  retryable: boolean;
  retryAfterMs?: number;
  suggestions?: string[];
  details?: Record<string, any>;
}

/**
 * The text of a tool result: its text blocks, joined.
 *
 * @example
 * ```ts
 * expect(toolText(await client.callTool({ name: 'echo', arguments: { text: 'hi' } }))).toBe('hi');
 * ```
 */
export function toolText(result: ToolResultLike): string {
  const blocks = Array.isArray(result.content) ? (result.content as { text?: unknown }[]) : [];
  return blocks.map((b) => (typeof b.text === 'string' ? b.text : '')).join('');
}

/**
 * The structured error of a failed tool call (`isError: true`); throws when the call did not
 * fail or its text is not Rampart's error body, so a test cannot pass on the wrong result.
 *
 * @example
 * ```ts
 * expect(toolError(await client.callTool({ name: 'search', arguments: {} })).code).toBe('RATE_LIMITED');
 * ```
 */
export function toolError(result: ToolResultLike): ToolErrorBody {
  const text = toolText(result);
  if (result.isError !== true)
    throw new Error(`Expected a failed tool call (isError: true), got: ${text.slice(0, 200)}`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`The failed call's text is not a structured error: ${text.slice(0, 200)}`);
  }
  if (!body || typeof (body as { code?: unknown }).code !== 'string')
    throw new Error(`The failed call's body has no code: ${text.slice(0, 200)}`);
  return body as ToolErrorBody;
}
