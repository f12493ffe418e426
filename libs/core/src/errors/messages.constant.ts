export const INVALID_TOOL_NAME = (name: string, where: string) =>
  `Invalid tool name "${name}" on ${where}: a tool name has 1 to 128 characters, each one of A-Z, a-z, 0-9, "_", "-" or ".".`;
export const DUPLICATE_PRIMITIVE = (
  kind: string,
  name: string,
  server: string,
  a: string,
  b: string,
) =>
  `Duplicate ${kind} "${name}" on server "${server}": declared by ${a} and by ${b}. Give one of them another name, or scope them to different servers with the "server" option.`;
export const INVALID_DECORATOR_OPTION = (decorator: string, where: string, problem: string) =>
  `Invalid @${decorator}() on ${where}: ${problem}`;
export const INVALID_DYNAMIC_OPTION = (kind: string, name: string, problem: string) =>
  `Invalid dynamic ${kind} "${name}": ${problem}`;
export const UNKNOWN_COMPLETION_TARGET = (kind: string, name: string, where: string) =>
  `@Completion() on ${where} completes the ${kind} "${name}", which no provider declares.`;
export const UNSUPPORTED_NEST = (version: string, problem: string) =>
  `Rampart cannot bind MCP handlers with @nestjs/core ${version}: ${problem}. Rampart runs the interceptors of MCP handlers through its own consumer, which it passes to Nest's ExternalContextCreator constructor (see @rampart/core pipeline/nest-adapter.ts); this version of Nest no longer allows it. Install the @nestjs/core version that @rampart/core's peerDependencies name.`;
export const SESSIONS_FULL = (max: number) =>
  `Service Unavailable: ${max} sessions are open; try again later`;
export const SESSIONS_FULL_FOR_CLIENT = (max: number) =>
  `Service Unavailable: this client has ${max} sessions open, the most allowed per client; end one (DELETE) or try again later`;
export const SESSION_STORE_UNAVAILABLE =
  'Service Unavailable: the session store does not answer; try again later';
export const LISTEN_FULL = (max: number) =>
  `Subscription limit reached: ${max} subscriptions/listen streams are open; try again later`;
export const LISTEN_FULL_FOR_CLIENT = (max: number) =>
  `Subscription limit reached: this client has ${max} subscriptions/listen streams open, the most allowed per client; close one or try again later`;
