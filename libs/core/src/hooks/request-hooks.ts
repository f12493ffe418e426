import type { McpIdentity } from '../interfaces/mcp-identity.interface';
import type {
  McpAuthRequest,
  McpHttpExchange,
  McpListedEntry,
  McpRelease,
  McpRequest,
  McpRequestHook,
  McpView,
} from './mcp-request-hook.interface';

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
  /** Whether any hook has `onHttpRequest`. */
  readonly seesHttp: boolean;
  /** Whether any hook has `authenticate`. */
  readonly authenticates: boolean;
  /** Whether any hook has `view`. */
  readonly views: boolean;
  private readonly admitters: McpRequestHook[];
  private readonly listeners: McpRequestHook[];
  private readonly httpHooks: McpRequestHook[];
  private readonly authenticators: McpRequestHook[];
  private readonly viewers: McpRequestHook[];
  private readonly chain: Chain;

  constructor(hooks: readonly McpRequestHook[]) {
    const having = (phase: keyof McpRequestHook) =>
      hooks.filter((h) => typeof h[phase] === 'function');
    this.admitters = having('admit');
    const wrappers = having('around');
    this.listeners = having('refused');
    this.httpHooks = having('onHttpRequest');
    this.authenticators = having('authenticate');
    this.viewers = having('view');
    this.admits = this.admitters.length > 0;
    this.wraps = wrappers.length > 0;
    this.seesHttp = this.httpHooks.length > 0;
    this.authenticates = this.authenticators.length > 0;
    this.views = this.viewers.length > 0;
    // The first hook is the outermost.
    this.chain = wrappers.reduceRight<Chain>(
      (inner, hook) => (request, next) => hook.around!(request, () => inner(request, next)),
      direct,
    );
  }

  /** Whether any hook runs on the dispatcher's path (admission, `around`, views, identity). */
  get active(): boolean {
    return this.admits || this.wraps || this.authenticates;
  }

  /**
   * Runs the `onHttpRequest` hooks in order; resolves `false` when one of them answered the
   * request (ended the response), so the endpoint stops.
   */
  async onHttpRequest(exchange: McpHttpExchange): Promise<boolean> {
    for (const hook of this.httpHooks) {
      await hook.onHttpRequest!(exchange);
      if (exchange.response.writableEnded) return false;
    }
    return true;
  }

  /** The identity the first claiming `authenticate` hook returns; a refusal propagates. */
  async authenticate(request: McpAuthRequest): Promise<McpIdentity | undefined> {
    for (const hook of this.authenticators) {
      const identity = await hook.authenticate!(request);
      if (identity) return identity;
    }
    return undefined;
  }

  /** The combined view of the hooks for `request`; `undefined` when every hook allows all. */
  async view(request: McpRequest): Promise<McpView | undefined> {
    if (this.viewers.length === 1) return this.viewers[0].view!(request);
    let views: McpView[] | undefined;
    for (const hook of this.viewers) {
      const view = await hook.view!(request);
      if (view) (views ??= []).push(view);
    }
    if (!views || views.length < 2) return views?.[0];
    const all = views;
    return {
      key: all.map((v) => v.key).join('\u0000'),
      allows: (entry: McpListedEntry) => all.every((v) => v.allows(entry)),
    };
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
