import type { ClientCapabilities } from '@modelcontextprotocol/server';
import { JsonRpcErrorCode, McpProtocolError } from '../errors/mcp-protocol.error';

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Checks the questions of an `input_required` result (2026-07-28) against the client
 * capabilities the request declared, and answers the refusal (`-32021`, HTTP 400) when one is not
 * covered: form elicitation needs `elicitation` (a bare `{}` counts as form), URL elicitation
 * `elicitation.url`, sampling `sampling` (`sampling.tools` with tools), roots `roots`.
 *
 * Why here: these are the spec's rules, and the SDK keeps its copy internal. The dispatcher
 * applies them on every transport, before an SDK server (which would apply its own copy) sees the
 * result; the parity spec compares both on the wire.
 */
export function missingInputCapabilities(
  inputRequests: unknown,
  declared: ClientCapabilities | undefined,
): McpProtocolError | undefined {
  if (!isObject(inputRequests)) return undefined;
  for (const [key, entry] of Object.entries(inputRequests)) {
    const request = entry as { method?: string; params?: Record<string, unknown> };
    const required = requiredCapabilities(request);
    if (!required) continue;
    const missing = missingCapabilities(required, declared as Record<string, unknown> | undefined);
    if (missing)
      return new McpProtocolError(
        JsonRpcErrorCode.MissingRequiredClientCapability,
        `Cannot request input '${key}' (${request.method}): the request's client capabilities do not declare the required capability`,
        { requiredCapabilities: missing },
        400,
      );
  }
  return undefined;
}

function requiredCapabilities(request: {
  method?: string;
  params?: Record<string, unknown>;
}): Record<string, Record<string, unknown>> | undefined {
  switch (request.method) {
    case 'elicitation/create':
      return request.params?.mode === 'url'
        ? { elicitation: { url: {} } }
        : { elicitation: { form: {} } };
    case 'sampling/createMessage':
      return request.params?.tools !== undefined || request.params?.toolChoice !== undefined
        ? { sampling: { tools: {} } }
        : { sampling: {} };
    case 'roots/list':
      return { roots: {} };
    default:
      return undefined;
  }
}

function missingCapabilities(
  required: Record<string, Record<string, unknown>>,
  declared: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  const missing: Record<string, unknown> = {};
  for (const [capability, members] of Object.entries(required)) {
    const have = declared?.[capability];
    if (have === undefined) {
      missing[capability] = members;
      continue;
    }
    if (!isObject(have)) continue;
    const lenientForm =
      capability === 'elicitation' && have.form === undefined && have.url === undefined;
    const absent = Object.keys(members).filter(
      (m) => have[m] === undefined && !(lenientForm && m === 'form'),
    );
    if (absent.length) missing[capability] = Object.fromEntries(absent.map((m) => [m, members[m]]));
  }
  return Object.keys(missing).length ? missing : undefined;
}
