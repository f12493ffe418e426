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
 * Reads an `isError` `CallToolResult`: its first text block is the JSON of the structured error
 * (`{ code, message, retryable, details }`). Parsed only for failed calls.
 */
export function failureOfToolResult(result: Record<string, unknown>): Failure {
  const first = Array.isArray(result.content) ? (result.content[0] as unknown) : undefined;
  const text = isObject(first) && typeof first.text === 'string' ? first.text : undefined;
  let code = 'TOOL_ERROR';
  let correlationId: string | undefined;
  if (text && text.charCodeAt(0) === 123 /* { */) {
    try {
      const body = JSON.parse(text) as unknown;
      if (isObject(body) && typeof body.code === 'string') {
        code = body.code;
        const details = body.details;
        if (isObject(details) && typeof details.correlationId === 'string')
          correlationId = details.correlationId;
      }
    } catch {
      // a tool's own isError text: no structured code
    }
  }
  return { errorCode: code, decision: decisionOf(code), correlationId };
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
