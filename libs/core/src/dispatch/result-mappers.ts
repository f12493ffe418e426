import { HttpException, type Logger } from '@nestjs/common';
import {
  isSpecType,
  ProtocolError,
  type CallToolResult,
  type CompleteResult,
  type GetPromptResult,
  type PromptMessage,
  type ReadResourceResult,
} from '@modelcontextprotocol/server';
import { randomUUID } from 'node:crypto';
import {
  isMcpProtocolError,
  JsonRpcErrorCode,
  McpProtocolError,
} from '../errors/mcp-protocol.error';
import { isToolError, ToolError, type ToolErrorOptions } from '../errors/tool.error';
import type { McpRequest } from '../hooks/mcp-request-hook.interface';
import type { ToolEntry } from '../registry/registry.interfaces';

const isObject = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * Maps what a tool method returned to a `CallToolResult`:
 * a full result (has `content`) passes through; with an output schema the value becomes
 * `structuredContent` (validated) plus its JSON as text; a string becomes one text block;
 * anything else is sent as JSON text.
 *
 * A result that holds anything the tool chose (a full result, structured content) is checked
 * against the SDK's `CallToolResult` schema, on every transport alike, and a malformed one
 * rejects with `INVALID_OUTPUT`. One built here from a string or a value's JSON (a single text
 * block, or none) is valid by construction and not parsed again: in a CPU profile of the bare
 * bench server under the `call` load, that parse was 2.5% of the server's CPU
 * (docs/benchmarks.md); `result-mappers.spec.ts` holds the SDK's schema to accepting what is
 * built here.
 */
export async function toCallToolResult(value: unknown, tool: ToolEntry): Promise<CallToolResult> {
  if (isObject(value) && Array.isArray(value.content)) {
    const result = value as CallToolResult;
    if (tool.outputValidator && result.structuredContent !== undefined && !result.isError)
      await assertOutput(tool, result.structuredContent);
    return checked(result, tool);
  }
  if (tool.outputValidator) {
    const structured = await assertOutput(tool, value);
    return checked(
      {
        content: [{ type: 'text', text: JSON.stringify(structured) }],
        structuredContent: structured as Record<string, unknown>,
      },
      tool,
    );
  }
  if (value === undefined || value === null) return { content: [] };
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  // `JSON.stringify` answers `undefined` for a function or a symbol: no text to send.
  if (typeof text !== 'string') throw invalidResult(tool);
  return { content: [{ type: 'text', text }] };
}

function checked(result: CallToolResult, tool: ToolEntry): CallToolResult {
  if (!isSpecType.CallToolResult(result)) throw invalidResult(tool);
  return result;
}

function invalidResult(tool: ToolEntry): ToolError {
  return new ToolError(
    'INVALID_OUTPUT',
    `Tool ${tool.name} returned a result that is not a valid CallToolResult`,
    { cause: new Error(`malformed CallToolResult from ${tool.source}`) },
  );
}

async function assertOutput(tool: ToolEntry, value: unknown): Promise<unknown> {
  const checked = await tool.outputValidator!(value);
  if (checked.ok) return isObject(value) ? value : checked.value;
  throw new ToolError(
    'INVALID_OUTPUT',
    `Tool ${tool.name} returned a result that does not match its outputSchema`,
    {
      details: { issues: checked.issues },
      cause: new Error(`outputSchema mismatch in ${tool.source}`),
    },
  );
}

const HTTP_CODES: Record<number, [code: string, options: ToolErrorOptions]> = {
  400: ['BAD_REQUEST', { fault: 'caller' }],
  401: ['UNAUTHENTICATED', { refusal: 'denied' }],
  403: ['FORBIDDEN', { refusal: 'denied' }],
  404: ['NOT_FOUND', { fault: 'caller' }],
  408: ['TIMEOUT', { retryable: true }],
  409: ['CONFLICT', { fault: 'caller' }],
  422: ['INVALID_ARGUMENTS', { fault: 'caller' }],
  429: ['RATE_LIMITED', { retryable: true, refusal: 'throttled' }],
  503: ['UNAVAILABLE', { retryable: true }],
  504: ['TIMEOUT', { retryable: true }],
};

/** Turns a Nest `HttpException` (from a guard, pipe or the tool) into a {@link ToolError}. */
export function fromHttpException(e: HttpException): ToolError {
  const status = e.getStatus();
  const [code, options] =
    HTTP_CODES[status] ??
    (status >= 500 ? ['UNAVAILABLE', { retryable: true }] : ['BAD_REQUEST', { fault: 'caller' }]);
  const response = e.getResponse();
  const message =
    isObject(response) && typeof response.message === 'string'
      ? response.message
      : isObject(response) && Array.isArray(response.message)
        ? response.message.join('; ')
        : e.message;
  return new ToolError(code, message, options);
}

/**
 * Maps a failure of a tool call to the {@link ToolError} its result carries: protocol faults
 * are rethrown as {@link McpProtocolError}s (JSON-RPC errors); a Nest `HttpException` becomes its
 * code; unexpected errors are masked for the client and logged with a correlation id.
 */
export function toToolError(error: unknown, tool: string, logger: Logger): ToolError {
  if (isMcpProtocolError(error)) throw error;
  if (error instanceof ProtocolError) throw fromSdkError(error);
  if (isToolError(error)) {
    if (error.cause !== undefined)
      logger.warn(
        `Tool ${tool} failed with ${error.code}: ${error.cause instanceof Error ? error.cause.message : JSON.stringify(error.cause)}`,
      );
    return error;
  }
  if (error instanceof HttpException) return fromHttpException(error);
  const correlationId = randomUUID();
  logger.error(
    `Tool ${tool} threw an unexpected error [correlationId=${correlationId}]`,
    error instanceof Error ? error.stack : String(error),
  );
  return new ToolError(
    'INTERNAL_ERROR',
    `The tool failed unexpectedly. Correlation id: ${correlationId}`,
    { details: { correlationId } },
  );
}

/** The result of a failed tool call: `isError: true` and the structured body as text. */
export function toToolErrorResult(error: ToolError): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(error) }], isError: true };
}

/**
 * Answers a `tools/call` with a tool error from a request hook that refuses it itself (an SLO
 * budget, a policy): the `isError` result the client gets, with the {@link ToolError} recorded on
 * the request as {@link McpRequest.toolError}, so that the hooks around it see the structured
 * error as they do for a failure of the tool.
 *
 * @example
 * ```ts
 * around(request: McpRequest, next: () => Promise<unknown>) {
 *   if (this.exhausted(request.target)) return Promise.resolve(answerWithToolError(request, tooBusy));
 *   return next();
 * }
 * ```
 */
export function answerWithToolError(request: McpRequest, error: ToolError): CallToolResult {
  (request as { toolError?: ToolError }).toolError = error;
  return toToolErrorResult(error);
}

/**
 * Maps a failure of a resource read, prompt or completion: these have no error result, so every
 * failure is a JSON-RPC error; unexpected ones are masked and logged with a correlation id.
 */
export function toProtocolError(error: unknown, what: string, logger: Logger): McpProtocolError {
  if (isMcpProtocolError(error)) return error;
  if (error instanceof ProtocolError) return fromSdkError(error);
  if (isToolError(error))
    return new McpProtocolError(JsonRpcErrorCode.InvalidParams, error.message, error.toJSON());
  if (error instanceof HttpException) {
    const e = fromHttpException(error);
    return new McpProtocolError(JsonRpcErrorCode.InvalidRequest, e.message, e.toJSON());
  }
  const correlationId = randomUUID();
  logger.error(
    `${what} threw an unexpected error [correlationId=${correlationId}]`,
    error instanceof Error ? error.stack : String(error),
  );
  return new McpProtocolError(
    JsonRpcErrorCode.InternalError,
    `Internal error. Correlation id: ${correlationId}`,
    { correlationId },
  );
}

/** An SDK protocol error a handler threw (e.g. the SDK's `ResourceNotFoundError`), as Rampart's. */
function fromSdkError(error: ProtocolError): McpProtocolError {
  return new McpProtocolError(error.code, error.message, error.data);
}

/** Maps a resource method's return value to a `ReadResourceResult`. */
export function toReadResourceResult(
  value: unknown,
  uri: string,
  mimeType?: string,
): ReadResourceResult {
  if (isObject(value) && Array.isArray(value.contents)) return value as ReadResourceResult;
  const base = { uri, ...(mimeType && { mimeType }) };
  if (typeof value === 'string') return { contents: [{ ...base, text: value }] };
  if (value instanceof Uint8Array)
    return { contents: [{ ...base, blob: Buffer.from(value).toString('base64') }] };
  if (isObject(value) && (typeof value.text === 'string' || typeof value.blob === 'string'))
    return { contents: [{ ...base, ...value } as ReadResourceResult['contents'][number]] };
  return {
    contents: [{ ...base, mimeType: mimeType ?? 'application/json', text: JSON.stringify(value) }],
  };
}

/** Maps a prompt method's return value to a `GetPromptResult`. */
export function toGetPromptResult(value: unknown, description?: string): GetPromptResult {
  const withDescription = (messages: PromptMessage[]): GetPromptResult => ({
    ...(description && { description }),
    messages,
  });
  if (isObject(value) && Array.isArray(value.messages)) return value as GetPromptResult;
  if (typeof value === 'string')
    return withDescription([{ role: 'user', content: { type: 'text', text: value } }]);
  if (Array.isArray(value)) return withDescription(value as PromptMessage[]);
  throw new Error(
    `A prompt must return a string, an array of messages or a GetPromptResult; got ${typeof value}`,
  );
}

/** Maps a completion method's return value to a `CompleteResult` (at most 100 values). */
export function toCompleteResult(value: unknown): CompleteResult {
  if (isObject(value) && isObject(value.completion)) return value as CompleteResult;
  const values = Array.isArray(value) ? value.map(String) : [];
  return {
    completion: {
      values: values.slice(0, 100),
      total: values.length,
      hasMore: values.length > 100,
    },
  };
}
