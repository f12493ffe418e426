import { isToolError, type ToolError } from '@rampart/core';
import type { CallDecision } from './call-record.interface';

/** JSON-RPC code of an internal error: the handler ran and failed. */
const JSON_RPC_INTERNAL_ERROR = -32603;

/** What a failed request tells about itself. */
export interface Failure {
  errorCode: string;
  decision: CallDecision;
  correlationId?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/**
 * The decision a tool error stands for, from what the library that raised it said of it (its
 * `refusal` and `fault`), not from a list of other libraries' codes: `denied` by access control,
 * `rate-limited` by a protection, `failed` on the caller's own input, `allowed` when the call ran
 * and failed.
 */
export function decisionOf(error: Pick<ToolError, 'refusal' | 'fault'>): CallDecision {
  if (error.refusal === 'denied') return 'denied';
  if (error.refusal === 'throttled') return 'rate-limited';
  if (error.fault === 'caller') return 'failed';
  return 'allowed';
}

/** The decision of a request refused with an HTTP status before dispatch (admission). */
function decisionOfStatus(status: number): CallDecision | undefined {
  if (status === 401 || status === 403) return 'denied';
  if (status === 429 || status === 503) return 'rate-limited';
  return undefined;
}

/**
 * The failure of a `tools/call` that ended as an `isError` result, from the structured error the
 * dispatcher mapped it from (`McpRequest.toolError`); a tool that returned its own
 * `isError` result without a `ToolError` counts as `TOOL_ERROR`.
 */
export function failureOfToolError(error: ToolError | undefined): Failure {
  if (!error) return { errorCode: 'TOOL_ERROR', decision: 'allowed' };
  const correlationId = error.details?.correlationId;
  return {
    errorCode: error.code,
    decision: decisionOf(error),
    ...(typeof correlationId === 'string' && { correlationId }),
  };
}

/**
 * Reads a rejected request: a JSON-RPC error (`code`, and `data` that may carry a structured
 * error code or a correlation id; a refusal at admission by its HTTP status), a `ToolError` a
 * hook threw, or anything else thrown.
 */
export function failureOfError(error: unknown): Failure {
  if (!isObject(error)) return { errorCode: 'ERROR', decision: 'failed' };
  if (isToolError(error)) return failureOfToolError(error);
  const data = error.data;
  const correlationId =
    isObject(data) && typeof data.correlationId === 'string'
      ? data.correlationId
      : isObject(data) && isObject(data.details) && typeof data.details.correlationId === 'string'
        ? data.details.correlationId
        : undefined;
  const refused =
    typeof error.httpStatus === 'number' ? decisionOfStatus(error.httpStatus) : undefined;
  if (isObject(data) && typeof data.code === 'string')
    return { errorCode: data.code, decision: refused ?? 'failed', correlationId };
  if (typeof error.code === 'number')
    return {
      errorCode: String(error.code),
      decision: refused ?? (error.code === JSON_RPC_INTERNAL_ERROR ? 'allowed' : 'failed'),
      correlationId,
    };
  if (typeof error.code === 'string')
    return { errorCode: error.code, decision: refused ?? 'failed', correlationId };
  return { errorCode: 'ERROR', decision: 'failed', correlationId };
}
