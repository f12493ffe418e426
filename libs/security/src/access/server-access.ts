import type { Reflector } from '@nestjs/core';
import type { McpIdentity, McpListedEntry, McpRegistry, McpView } from '@rampart/core';
import { decideAccess, type AccessOutcome, type AccessSettings } from './access-decision';
import { entryAccess, type EntryAccess } from './entry-access';

/** Most views kept per server (by caller signature); the least recently used go first. */
const MAX_VIEWS = 1_000;
/** With policies, which may read the time, a view is recomputed after this long. */
const POLICY_VIEW_MS = 1_000;

interface Compiled {
  revision: number;
  entries: Map<McpListedEntry, { index: number; access: EntryAccess }>;
}

interface CachedView {
  view: McpView;
  generation: number;
  revision: number;
  atMs: number;
}

/**
 * The access decisions of one Rampart server: each primitive's requirements read once per
 * registry revision, and one view per kind of caller. Two callers with the same tenant, scopes and
 * roles (and, with policies, the same subject) share a view, and so the list pages the dispatcher
 * cut for it: a list costs a cache lookup per caller.
 */
export class ServerAccess {
  private compiled?: Compiled;
  private readonly byIdentity = new WeakMap<McpIdentity, CachedView>();
  private readonly bySignature = new Map<string, CachedView>();
  private anonymous?: CachedView;
  /** Bumped whenever something a decision reads changes (kill switches, policies). */
  private generation = 0;

  constructor(
    readonly server: string,
    private readonly registry: McpRegistry,
    private readonly reflector: Reflector,
    private readonly settings: AccessSettings,
    private readonly killed: (server: string, target: string) => boolean,
  ) {}

  /** Forgets every view: what decisions read has changed. */
  invalidate(): void {
    this.generation++;
    this.bySignature.clear();
    this.anonymous = undefined;
  }

  /** The access facts of `entry` (compiled once per registry revision). */
  accessOf(entry: McpListedEntry): EntryAccess {
    return (
      this.compile().entries.get(entry)?.access ?? entryAccess(entry, this.server, this.reflector)
    );
  }

  /** Decides one use of `entry`; with `call`, as a call with its arguments. */
  decide(
    entry: McpListedEntry,
    identity: McpIdentity | undefined,
    call?: { method: string; arguments?: Readonly<Record<string, unknown>> },
  ): AccessOutcome {
    return decideAccess(this.accessOf(entry), identity, this.settings, this.killed, call);
  }

  /** What `identity` may see and use. */
  viewFor(identity: McpIdentity | undefined): McpView {
    const compiled = this.compile();
    const now = Date.now();
    const fresh = (c: CachedView | undefined): c is CachedView =>
      !!c &&
      c.generation === this.generation &&
      c.revision === compiled.revision &&
      (!this.settings.policy || now - c.atMs < POLICY_VIEW_MS);
    if (!identity) {
      if (fresh(this.anonymous)) return this.anonymous.view;
      this.anonymous = this.cache(this.build(undefined, compiled), compiled, now);
      return this.anonymous.view;
    }
    const own = this.byIdentity.get(identity);
    if (fresh(own)) return own.view;
    const signature = signatureOf(identity, !!this.settings.policy);
    let shared = this.bySignature.get(signature);
    if (!fresh(shared)) {
      shared = this.cache(this.build(identity, compiled), compiled, now);
      this.bySignature.set(signature, shared);
      if (this.bySignature.size > MAX_VIEWS)
        this.bySignature.delete(this.bySignature.keys().next().value!);
    }
    this.byIdentity.set(identity, shared);
    return shared.view;
  }

  private cache(view: McpView, compiled: Compiled, now: number): CachedView {
    return { view, generation: this.generation, revision: compiled.revision, atMs: now };
  }

  private build(identity: McpIdentity | undefined, compiled: Compiled): McpView {
    const bits = new Uint8Array(compiled.entries.size);
    for (const { index, access } of compiled.entries.values())
      bits[index] = decideAccess(access, identity, this.settings, this.killed).denial ? 0 : 1;
    // The key is the set of entries allowed: callers who see the same entries share list pages.
    const key = `${this.generation}:${Buffer.from(bits).toString('base64')}`;
    return {
      key,
      allows: (entry) => {
        const known = compiled.entries.get(entry);
        return known
          ? bits[known.index] === 1
          : !decideAccess(
              entryAccess(entry, this.server, this.reflector),
              identity,
              this.settings,
              this.killed,
            ).denial;
      },
    };
  }

  private compile(): Compiled {
    const revision = this.registry.revision;
    if (this.compiled?.revision === revision) return this.compiled;
    const entries = new Map<McpListedEntry, { index: number; access: EntryAccess }>();
    const all: McpListedEntry[] = [
      ...this.registry.tools.list(),
      ...this.registry.resources.list(),
      ...this.registry.templates.list(),
      ...this.registry.prompts.list(),
    ];
    all.forEach((entry, index) =>
      entries.set(entry, { index, access: entryAccess(entry, this.server, this.reflector) }),
    );
    this.compiled = { revision, entries };
    return this.compiled;
  }
}

/** What a view depends on: tenant, scopes and roles; with policies, the whole principal. */
function signatureOf(identity: McpIdentity, withPolicy: boolean): string {
  const sorted = (values: readonly string[] | undefined) => (values ? [...values].sort() : []);
  return JSON.stringify([
    identity.tenant ?? null,
    sorted(identity.scopes),
    sorted(identity.roles),
    ...(withPolicy ? [identity.subject, identity.proof ?? null] : []),
  ]);
}
