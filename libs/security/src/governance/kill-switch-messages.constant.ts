export const KILL_SWITCH_FIELD_INVALID = (field: string, problem: string) =>
  `"${field}" ${problem}`;
export const KILL_SWITCH_STORE_UNAVAILABLE = (problem: string) =>
  `The kill switch store is unavailable: ${problem}`;
export const KILL_SWITCH_REDIS_DOWN = (problem: string) =>
  `Redis unavailable for kill switches, serving the last known switches: ${problem}`;
export const KILL_SWITCH_RECORD_UNREADABLE = (field: string) =>
  `The stored kill switch "${field.replace('\u0000', ' ')}" is not valid JSON; it stays thrown`;
export const KILL_SWITCH_LISTENER_FAILED = (problem: string) =>
  `A kill switch listener failed: ${problem}`;
export const KILL_SWITCH_NOT_THROWN = (server: string, target?: string) =>
  target === undefined
    ? `No kill switch is thrown for server "${server}"`
    : `No kill switch is thrown for "${target}" of server "${server}"`;
export const KILL_SWITCH_BODY_NOT_OBJECT = () => 'The body must be a JSON object: { "reason"? }';
export const KILL_SWITCH_BODY_UNKNOWN_FIELD = (field: string) =>
  `Unknown field "${field}": the body is { "reason"? }`;
export const KILL_SWITCH_PATH_UNDECODABLE = () =>
  'The path is not valid percent-encoding (encode the target with encodeURIComponent)';
export const KILL_SWITCH_ADMIN_FAILED = () => 'The kill switch request failed';
export const KILL_SWITCH_ADMIN_UNSUPPORTED_ADAPTER = (type: string) =>
  `The kill switch admin endpoints support the Express and Fastify adapters, not "${type}"`;
export const KILL_SWITCH_ADMIN_UNAUTHENTICATED = () => 'Authentication is required';
export const KILL_SWITCH_ADMIN_STORE_DOWN = () =>
  'The kill switch store is unavailable; try again shortly';
export const KILL_SWITCH_ADMIN_METHOD = (method: string, allowed: readonly string[]) =>
  `${method} is not allowed here; use ${allowed.join(' or ')}`;
export const KILL_SWITCH_ADMIN_THROWN = (what: string, by: string, reason?: string) =>
  `Kill switch thrown on ${what} by ${by}${reason === undefined ? '' : `: ${reason}`}`;
export const KILL_SWITCH_ADMIN_CLEARED = (what: string, by: string) =>
  `Kill switch cleared on ${what} by ${by}`;
export const KILL_SWITCH_ADMIN_UNEXPECTED = (problem: string) =>
  `A kill switch admin request failed: ${problem}`;
