import type { ToolError } from '@rampart/core';
import type { CallDecision } from './call-record.interface';

/** Codes of refusals by authentication or authorization. */
export const DENIED_CODES: ReadonlySet<string> = new Set([
  'UNAUTHORIZED',
  'UNAUTHENTICATED',
  'FORBIDDEN',
]);

/** Codes of refusals that protect the server. */
export const RATE_LIMITED_CODES: ReadonlySet<string> = new Set([
  'RATE_LIMITED',
  'OVERLOADED',
  'CIRCUIT_OPEN',
  'BUDGET_EXHAUSTED',
]);

/** Codes of calls refused before running for another reason. */
export const FAILED_CODES: ReadonlySet<string> = new Set(['INVALID_ARGUMENTS']);

/** JSON-RPC code of an internal error: the handler ran and failed. */
const JSON_RPC_INTERNAL_ERROR = -32603;

/** What a failed request tells about itself. */
export interface Failure {
  errorCode: string;
  decision: CallDecision;
  correlationId?: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/** The decision that a structured tool error code stands for. */
export function decisionOf(code: string): CallDecision {
  if (DENIED_CODES.has(code)) return 'denied';
  if (RATE_LIMITED_CODES.has(code)) return 'rate-limited';
  if (FAILED_CODES.has(code)) return 'failed';
  return 'allowed';
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
    decision: decisionOf(error.code),
    ...(typeof correlationId === 'string' && { correlationId }),
  };
}

/**
 * Reads a rejected request: a JSON-RPC error (`code`, and `data` that may carry a structured
 * error or a correlation id), or anything else thrown.
 */
export function failureOfError(error: unknown): Failure {
  if (!isObject(error)) return { errorCode: 'ERROR', decision: 'failed' };
  const data = error.data;
  const correlationId =
    isObject(data) && typeof data.correlationId === 'string'
      ? data.correlationId
      : isObject(data) && isObject(data.details) && typeof data.details.correlationId === 'string'
        ? data.details.correlationId
        : undefined;
  if (isObject(data) && typeof data.code === 'string') {
    const decision = decisionOf(data.code);
    return {
      errorCode: data.code,
      decision: decision === 'allowed' ? 'failed' : decision,
      correlationId,
    };
  }
  if (typeof error.code === 'number')
    return {
      errorCode: String(error.code),
      decision: error.code === JSON_RPC_INTERNAL_ERROR ? 'allowed' : 'failed',
      correlationId,
    };
  if (typeof error.code === 'string')
    return { errorCode: error.code, decision: decisionOf(error.code), correlationId };
  return { errorCode: 'ERROR', decision: 'failed', correlationId };
}
