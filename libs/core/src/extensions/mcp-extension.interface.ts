import type { ServerCapabilities } from '@modelcontextprotocol/server';
import type { ProtocolEra } from '../context/mcp-context';
import type { McpCall } from '../dispatch/mcp-call.interface';
import type { MaybePromise } from '../hooks/maybe-promise';
import type { ToolEntry } from '../registry/registry.interfaces';

/** A Rampart result: the spec's result object, before any era's encoding. */
export type McpExtensionResult = Record<string, unknown>;

/**
 * A JSON-RPC method that an {@link McpProtocolExtension} adds to a server. The dispatcher serves it like
 * its own methods, on every transport: request hooks around it, its result encoded for the era
 * and the wire, an `McpProtocolError` it throws answered as the JSON-RPC error.
 */
export interface McpExtensionMethod {
  /**
   * The eras that know the method; a request of another era is answered `-32601` (Method not
   * found), as for a method nobody serves.
   * @default both eras
   */
  eras?: readonly ProtocolEra[];
  /** Serves one request. Reject (throw) with an `McpProtocolError` to answer an error. */
  handle(call: McpCall): MaybePromise<McpExtensionResult>;
}

/**
 * Capabilities an {@link McpProtocolExtension} declares, per era: `legacy` go into the 2025-11-25
 * `initialize` result, `modern` into the 2026-07-28 `server/discover` result. Each is merged into
 * the server's own capabilities one level deep (so two extensions may each add a key under
 * `extensions`).
 */
export interface McpExtensionCapabilities {
  legacy?: Partial<ServerCapabilities> & Record<string, unknown>;
  modern?: Partial<ServerCapabilities> & Record<string, unknown>;
}

/**
 * A library's addition to the protocol a server speaks: methods the core does not know (such as
 * `tasks/get`), the capabilities that announce them, and a say in how a `tools/call` runs. The
 * core stays the one dispatcher: an extension's methods are served by it, on every transport and
 * in both eras, behind the same request hooks.
 *
 * Mark the provider with `@McpExtension()`; discovery finds it at boot, before the server builds
 * its dispatcher, and reads `capabilities` and `methods` once then.
 *
 * @example
 * ```ts
 * @McpExtension()
 * @Injectable()
 * export class EchoExtension implements McpProtocolExtension {
 *   readonly capabilities = { modern: { extensions: { 'example.com/echo': {} } } };
 *   readonly methods = { 'echo/say': { eras: ['modern'], handle: (call) => ({ said: call.params.text }) } };
 * }
 * ```
 */
export interface McpProtocolExtension {
  /**
   * Asked once per server at boot: whether the extension applies to that server at all.
   * @default every server (or the `server` of `@McpExtension()`)
   */
  enabledFor?(server: string): boolean;

  /** Capabilities the extension adds, per era. */
  readonly capabilities?: McpExtensionCapabilities;

  /** Methods the extension adds, by JSON-RPC method name. A core method cannot be replaced. */
  readonly methods?: Readonly<Record<string, McpExtensionMethod>>;

  /**
   * Around every `tools/call`, once the tool is resolved and the caller may use it (unknown and
   * hidden tools never get here). `run()` runs the call in the request as the core does (the
   * Nest pipeline, the result mapping, `input_required` rounds); the extension may answer
   * something else instead, such as a task handle. Extensions run in discovery order, the first
   * outermost.
   */
  callTool?(
    call: McpCall,
    tool: ToolEntry,
    run: () => Promise<McpExtensionResult>,
  ): Promise<McpExtensionResult>;
}

/** Options of `@McpExtension()`. */
export interface McpExtensionOptions {
  /** Only for the server of this name; every server by default. */
  server?: string;
}
