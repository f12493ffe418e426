import type { McpRelease, McpRequest, McpRequestHook } from './mcp-request-hook.interface';

type Next = () => Promise<unknown>;
type Chain = (request: McpRequest, next: Next) => Promise<unknown>;

const direct: Chain = (_request, next) => next();

/**
 * The request hooks of one server, in order, composed once at boot: the admission list and one
 * `around` chain. With no hooks both are skipped on the call path.
 * @internal
 */
export class RequestHooks {
  /** Whether any hook has `admit`. */
  readonly admits: boolean;
  /** Whether any hook has `around`. */
  readonly wraps: boolean;
  private readonly admitters: McpRequestHook[];
  private readonly listeners: McpRequestHook[];
  private readonly chain: Chain;

  constructor(hooks: readonly McpRequestHook[]) {
    this.admitters = hooks.filter((h) => typeof h.admit === 'function');
    const wrappers = hooks.filter((h) => typeof h.around === 'function');
    this.listeners = hooks.filter((h) => typeof h.refused === 'function');
    this.admits = this.admitters.length > 0;
    this.wraps = wrappers.length > 0;
    // The first hook is the outermost.
    this.chain = wrappers.reduceRight<Chain>(
      (inner, hook) => (request, next) => hook.around!(request, () => inner(request, next)),
      direct,
    );
  }

  /** Whether any hook runs at all. */
  get active(): boolean {
    return this.admits || this.wraps;
  }

  /**
   * Runs the admission hooks in order. A refusal (a throw) releases those already admitted and
   * propagates; otherwise the returned function releases them all.
   */
  async admit(request: McpRequest): Promise<McpRelease | undefined> {
    let releases: McpRelease[] | undefined;
    try {
      for (const hook of this.admitters) {
        const release = await hook.admit!(request);
        if (release) (releases ??= []).push(release);
      }
    } catch (error) {
      releaseAll(releases);
      for (const hook of this.listeners)
        try {
          hook.refused!(request, error);
        } catch {
          // A listener's fault never changes the answer to the request.
        }
      throw error;
    }
    return releases && (() => releaseAll(releases));
  }

  /** Runs `next` inside the `around` chain. */
  run(request: McpRequest, next: Next): Promise<unknown> {
    return this.chain(request, next);
  }

  /**
   * Admits (when `admit` is true: the transport did not already) and runs a request. A refusal
   * rejects with the hook's error, which the transport answers as a JSON-RPC error.
   */
  async serve(request: McpRequest, admit: boolean, next: Next): Promise<unknown> {
    const release = admit && this.admits ? await this.admit(request) : undefined;
    try {
      return await this.chain(request, next);
    } finally {
      release?.();
    }
  }
}

function releaseAll(releases: McpRelease[] | undefined): void {
  if (!releases) return;
  // Last admitted, first released.
  for (let i = releases.length - 1; i >= 0; i--) releases[i]();
}
