import type { McpIdentity } from '../interfaces/mcp-identity.interface';
import { isPromiseLike, type MaybePromise } from './maybe-promise';
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
   * Runs the `onHttpRequest` hooks in order; answers `false` when one of them answered the
   * request (ended the response), so the endpoint stops. Synchronous while the hooks are: hooks
   * run on every request, and a hook that answers at once costs no promise or microtask turn
   * (the same holds for every phase below).
   */
  onHttpRequest(exchange: McpHttpExchange): MaybePromise<boolean> {
    return this.onHttpRequestFrom(0, exchange);
  }

  private onHttpRequestFrom(from: number, exchange: McpHttpExchange): MaybePromise<boolean> {
    for (let i = from; i < this.httpHooks.length; i++) {
      const done = this.httpHooks[i].onHttpRequest!(exchange);
      if (isPromiseLike(done))
        return Promise.resolve(done).then(
          () => !exchange.response.writableEnded && this.onHttpRequestFrom(i + 1, exchange),
        );
      if (exchange.response.writableEnded) return false;
    }
    return true;
  }

  /** The identity the first claiming `authenticate` hook returns; a refusal propagates. */
  authenticate(request: McpAuthRequest): MaybePromise<McpIdentity | undefined> {
    return this.authenticateFrom(0, request);
  }

  private authenticateFrom(
    from: number,
    request: McpAuthRequest,
  ): MaybePromise<McpIdentity | undefined> {
    for (let i = from; i < this.authenticators.length; i++) {
      const identity = this.authenticators[i].authenticate!(request);
      if (isPromiseLike(identity))
        return Promise.resolve(identity).then(
          (found) => found ?? this.authenticateFrom(i + 1, request),
        );
      if (identity) return identity;
    }
    return undefined;
  }

  /** The combined view of the hooks for `request`; `undefined` when every hook allows all. */
  view(request: McpRequest): MaybePromise<McpView | undefined> {
    return this.viewers.length === 1 ? this.viewers[0].view!(request) : this.combinedView(request);
  }

  /**
   * Runs the admission hooks in order. A refusal (a throw or a rejection) releases those already
   * admitted and propagates; otherwise the returned function releases them all.
   */
  admit(request: McpRequest): MaybePromise<McpRelease | undefined> {
    return this.admitFrom(0, request, undefined);
  }

  private admitFrom(
    from: number,
    request: McpRequest,
    releases: McpRelease[] | undefined,
  ): MaybePromise<McpRelease | undefined> {
    try {
      for (let i = from; i < this.admitters.length; i++) {
        const release = this.admitters[i].admit!(request);
        if (isPromiseLike(release))
          return Promise.resolve(release).then(
            (admitted) => {
              if (admitted) (releases ??= []).push(admitted);
              return this.admitFrom(i + 1, request, releases);
            },
            (error: unknown) => this.refuse(request, error, releases),
          );
        if (release) (releases ??= []).push(release);
      }
    } catch (error) {
      this.refuse(request, error, releases);
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
  serve(request: McpRequest, admit: boolean, next: Next): Promise<unknown> {
    if (!admit || !this.admits) {
      try {
        return this.chain(request, next);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return this.admitAndRun(request, next);
  }

  private async admitAndRun(request: McpRequest, next: Next): Promise<unknown> {
    const release = await this.admit(request);
    try {
      return await this.chain(request, next);
    } finally {
      release?.();
    }
  }

  private async combinedView(request: McpRequest): Promise<McpView | undefined> {
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

  /** Releases what was admitted, tells the `refused` listeners, and throws `error` on. */
  private refuse(request: McpRequest, error: unknown, releases: McpRelease[] | undefined): never {
    releaseAll(releases);
    for (const hook of this.listeners)
      try {
        hook.refused!(request, error);
      } catch {
        // A listener's fault never changes the answer to the request.
      }
    throw error;
  }
}

function releaseAll(releases: McpRelease[] | undefined): void {
  if (!releases) return;
  // Last admitted, first released.
  for (let i = releases.length - 1; i >= 0; i--) releases[i]();
}
