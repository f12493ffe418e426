import type * as Cedar from '@cedar-policy/cedar-wasm/nodejs';
import type { McpIdentity } from '@rampart/core';
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PolicyLoadError, isPolicyLoadError } from '../errors/policy-load.error';
import {
  POLICY_CONTEXT_REFUSED,
  POLICY_EVALUATION_FAILED,
  POLICY_FILE_UNREADABLE,
  POLICY_LISTENER_FAILED,
  POLICY_LOADED,
  POLICY_NOT_LOADED,
  POLICY_RELOAD_FAILED,
  POLICY_SET_EMPTY,
  POLICY_SET_REJECTED,
  POLICY_WATCH_FAILED,
} from '../errors/policy-messages.constant';
import type { PolicyOptions } from '../interfaces/security-module-options.interface';
import { CedarValueLimitError, toCedarRecord, type CedarJsonRecord } from './cedar-value';
import {
  compilePolicies,
  loadCedar,
  type AttributeReads,
  type CedarBindings,
  type CompiledPolicySet,
  type PolicyInfo,
  type PolicySource,
} from './policy-set';
import type { PolicyDecision, PolicyRequest, PolicyResource } from './policy.interfaces';

/** Where a {@link PolicyEngine} reports loads, reloads and watch problems. */
export interface PolicyEngineLogger {
  warn(message: string): void;
  log?(message: string): void;
}

/**
 * What {@link PolicyEngine.reload} did: `ok` with whether the policy set changed, or the error
 * that kept the previous set in force.
 */
export type PolicyReloadResult =
  | {
      ok: true;
      /** False when the sources hold exactly the text already loaded: nothing was replaced. */
      changed: boolean;
      /** The generation now in force. */
      generation: number;
    }
  | {
      ok: false;
      /** Why the sources were refused; the error names the file. */
      error: PolicyLoadError;
      /** The generation still in force (`0`: none, every request is denied). */
      generation: number;
    };

/** Called after each load that replaced the policy set, with the new generation. */
export type PolicyChangeListener = (generation: number) => void;

/** Wait after the last file change before a watched reload, in milliseconds. */
export const POLICY_WATCH_DEBOUNCE_MS = 100;

/**
 * Most decisions an engine remembers (least recently used first out). A decision is remembered
 * under everything Cedar was given for it (entities, action, context), so a repeated request
 * costs a lookup instead of an evaluation; a load that changes the policy set forgets them all.
 */
export const DECISION_CACHE_SIZE = 1024;

/** Requests whose context is longer than this as JSON (large arguments) are always evaluated. */
const MAX_DECISION_KEY_LENGTH = 2048;

/** Most entity texts an engine numbers for its decision keys (see `PolicyEngine.idOf`). */
const ENTITY_IDS_SIZE = 4096;

/** The name of the policies given as text in the options, in errors and `PolicyInfo.source`. */
export const INLINE_POLICIES_SOURCE = 'inline policies';

let engines = 0;

/**
 * Cedar policy as code: loads policies from files and text, answers
 * {@link PolicyEngine.authorize} for every call and list, and reloads them without a restart.
 * A plain class (no Nest, no MCP server) so that a gateway uses it as a server does.
 *
 * ## Entity model (what policies are written against)
 *
 * - **principal**: `Rampart::Subject::"<subject>"` with attributes `tenant` (String, when the
 *   identity has one), `scopes` (Set of String), `roles` (Set of String), `proof` (String:
 *   `jwt`, `introspection`, `api-key`, `local`…, when known); it is `in` a
 *   `Rampart::Role::"<role>"` for each of its roles. Anonymous callers are
 *   `Rampart::Anonymous::"anonymous"`, with no attributes and no parents.
 * - **action**: `Rampart::Action::"<MCP method>"`: `"tools/call"`, `"resources/read"`,
 *   `"prompts/get"`. A list asks, for each primitive, about the action that would use it.
 * - **resource**: `Rampart::Tool::"<name>"`, `Rampart::Resource::"<uri>"`,
 *   `Rampart::ResourceTemplate::"<uri template>"` or `Rampart::Prompt::"<name>"`, with
 *   attributes `server` (String), `tags` (Set of String), `risk` (`"low"`, `"medium"`, `"high"`,
 *   `"critical"`), `readOnly`, `destructive`, `openWorld` (Boolean); it is `in`
 *   `Rampart::Server::"<server>"`.
 * - **context**: the request's context record: `tenant` (String, when the caller has one),
 *   `environment` (String), `now` (Long, seconds since the epoch) and, on calls, `arguments`
 *   (the call's arguments as a Record). Values are converted so that they always parse:
 *   integers within ±(2^53 − 1) are Longs, other numbers become Strings (`"100.5"`), arrays are
 *   Sets, dates are ISO 8601 Strings, `null`s are left out, keys that are Cedar's JSON escapes
 *   (`__entity`, `__extn`, `__expr`) are left out, so arguments cannot forge an entity. What the
 *   policies read of the context nesting deeper than 32 levels or holding more than 10 000
 *   values is not evaluated: the request is denied.
 *
 * Entities and ids travel as Cedar JSON, never as policy text, so no subject, role, name or
 * argument can change what a policy says.
 *
 * ## Decisions
 *
 * Cedar's rules: a request is allowed when some `permit` is satisfied and no `forbid` is;
 * nothing satisfied means deny, so an empty policy set denies everything. One rule is stricter
 * than Cedar's: a policy that fails on a request (an attribute that is absent, a type mismatch)
 * is skipped by Cedar, which for a `forbid` would let the request through; here a `forbid` that
 * fails **denies**, and the decision names it. A failing `permit` permits nothing, as in Cedar.
 * Guard optional data with `has`:
 *
 * ```cedar
 * @id("large-payments-need-finance-admin")
 * forbid (principal, action == Rampart::Action::"tools/call", resource == Rampart::Tool::"pay")
 * when { context has arguments && context.arguments has amount && context.arguments.amount > 100 }
 * unless { principal in Rampart::Role::"finance-admin" };
 * ```
 *
 * A list evaluates without `arguments`, so without the guard this policy would hide `pay` from
 * every list.
 *
 * ## Loading
 *
 * `load()` (at boot) throws a {@link PolicyLoadError} naming the file; `reload()` never throws:
 * on a bad file it logs, returns the error and keeps serving the previous policies. Each load
 * that changes the policy set increases {@link PolicyEngine.generation} and calls the
 * {@link PolicyEngine.onChange} listeners. With `watch: true` the files' directories are watched
 * (debounced, so an editor's or a ConfigMap's multi-step write reloads once) until `close()`.
 *
 * ## Cost
 *
 * The policies are parsed once per load, never per request. Only what some policy can read is
 * sent to Cedar: the attributes, and of the context the paths (`context.arguments.amount`
 * sends `amount`, not the other arguments); each value sent costs Cedar parse time. The last
 * {@link DECISION_CACHE_SIZE} decisions are remembered under exactly what was sent, so a
 * repeated request (the same caller, primitive and read values) costs a lookup and hands back the
 * same frozen decision. The principal's and the resource's entities (and the numbers of their
 * JSON texts, part of that key) are built once per identity and resource object, and built again
 * when any field they are made of has changed since.
 *
 * @example
 * ```ts
 * const engine = new PolicyEngine({ files: ['policies/base.cedar'], watch: true }, logger);
 * engine.load(); // throws PolicyLoadError on a bad file
 * engine.onChange((generation) => logger.log(`policies now at generation ${generation}`));
 * const decision = engine.authorize({
 *   principal: { subject: 'alice', roles: ['admin'], scopes: [] },
 *   action: 'tools/call',
 *   resource: { kind: 'Tool', id: 'pay', server: 'billing', tags: ['finance'], risk: 'high',
 *     readOnly: false, destructive: true, openWorld: false },
 *   context: { environment: 'production', now: 1_780_000_000, arguments: { amount: 50 } },
 * });
 * // { allowed: true, policies: ['admins'], errors: [] }
 * ```
 */
export class PolicyEngine {
  private cedar?: CedarBindings;
  /** Cedar keeps preparsed sets in a per-thread map: one key per engine, replaced on reload. */
  private readonly setId = `rampart-policies-${++engines}`;
  private compiled?: CompiledPolicySet;
  private loadedText?: string;
  private currentGeneration = 0;
  private readonly listeners = new Set<PolicyChangeListener>();
  private watchers: FSWatcher[] = [];
  private debounce?: NodeJS.Timeout;
  private closed = false;
  /** Remembered decisions, least recently used first (see {@link DECISION_CACHE_SIZE}). */
  private readonly decisions = new Map<string, { decision: PolicyDecision; used: number }>();
  /** Counts the decisions remembered and moved to the back of {@link decisions}. */
  private decisionUses = 0;
  private readonly principals = new WeakMap<McpIdentity, PrincipalMemo>();
  private readonly resources = new WeakMap<PolicyResource, ResourceMemo>();
  private readonly entityIds = new Map<string, number>();
  private lastEntityId = 0;

  constructor(
    private readonly options: PolicyOptions,
    private readonly logger?: PolicyEngineLogger,
  ) {}

  /**
   * Number of the policy set in force: `0` before the first successful load, then one more for
   * each load that changed it.
   */
  get generation(): number {
    return this.currentGeneration;
  }

  /** The policies in force, in load order (files in the order given, then the inline text). */
  get policies(): readonly PolicyInfo[] {
    return this.compiled?.policies ?? [];
  }

  /**
   * Reads the files and the inline text, parses and checks them, and puts them in force; starts
   * watching the files when `watch` is on. Call it once, at boot.
   *
   * @throws PolicyLoadError naming the file that cannot be read or parsed; nothing is loaded.
   */
  load(): void {
    const result = this.apply();
    if (!result.ok) throw result.error;
    if (this.options.watch && this.watchers.length === 0 && !this.closed) this.startWatching();
  }

  /**
   * Reads and parses the sources again and, when they changed, puts them in force. Never throws:
   * when a source cannot be read or parsed, the previous policies stay in force, the problem is
   * logged (`warn`) and returned.
   *
   * @example
   * ```ts
   * const result = engine.reload();
   * if (!result.ok) console.warn(result.error.message); // still serving result.generation
   * ```
   */
  reload(): PolicyReloadResult {
    const result = this.apply();
    if (!result.ok)
      this.logger?.warn(POLICY_RELOAD_FAILED(result.error.message, result.generation));
    return result;
  }

  /**
   * Calls `listener` after every load that replaced the policy set (the first one included),
   * with the new generation. Returns a function that removes it.
   */
  onChange(listener: PolicyChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Decides one request. Synchronous; never throws: a request Cedar cannot evaluate is denied,
   * with the reason in `errors`.
   *
   * - `policies`: the determining policies: the satisfied `permit`s when allowed; the satisfied
   *   (or failed) `forbid`s when forbidden; empty when nothing permitted.
   * - `errors`: one entry per policy that failed on this request, `"<id>: <Cedar's message>"`.
   */
  authorize(request: PolicyRequest): PolicyDecision {
    const compiled = this.compiled;
    const cedar = this.cedar;
    if (!compiled || !cedar) return denied(POLICY_NOT_LOADED());
    let context: CedarJsonRecord;
    try {
      context = contextOf(request.context, compiled.reads.context);
    } catch (error) {
      if (!(error instanceof CedarValueLimitError)) throw error;
      return denied(POLICY_CONTEXT_REFUSED(error.message));
    }
    const principal = this.principalOf(request.principal, compiled);
    const action = actionOf(request.action);
    const resource = this.resourceOf(request.resource, compiled);
    // Everything Cedar is given (entities, action, context; the policy set is this engine's):
    // the entities and the action by the number of their JSON text (see `idOf`), the context as
    // JSON. Equal keys get equal decisions from the same policy set; the key stays short, so a
    // repeated request costs a short string's hash instead of its entities' whole JSON.
    const contextJson = JSON.stringify(context);
    const cacheable = contextJson.length <= MAX_DECISION_KEY_LENGTH && action.id !== undefined;
    const key = cacheable ? `${principal.id},${action.id},${resource.id},${contextJson}` : '';
    if (cacheable) {
      const cached = this.decisions.get(key);
      if (cached) {
        // Least recently used first out, at a fraction of the cost of moving an entry to the
        // back on every hit: it moves once it has fallen into the front half, so a decision in
        // use never reaches the front, where the next new one would evict it.
        if (this.decisionUses - cached.used > DECISION_CACHE_SIZE / 2) {
          this.decisions.delete(key);
          cached.used = ++this.decisionUses;
          this.decisions.set(key, cached);
        }
        return cached.decision;
      }
    }
    const call: Cedar.StatefulAuthorizationCall = {
      principal: principal.entity.uid,
      action: action.uid,
      resource: resource.entity.uid,
      context,
      preparsedPolicySetId: this.setId,
      entities: [principal.entity, resource.entity],
    };
    let answer: Cedar.AuthorizationAnswer;
    try {
      answer = cedar.statefulIsAuthorized(call);
    } catch (error) {
      return denied(POLICY_EVALUATION_FAILED(messageOf(error)));
    }
    if (answer.type === 'failure')
      return denied(POLICY_EVALUATION_FAILED(answer.errors.map((e) => e.message).join('; ')));
    const decision = decisionOf(answer.response, compiled.forbids);
    if (cacheable) {
      if (this.decisions.size >= DECISION_CACHE_SIZE)
        this.decisions.delete(this.decisions.keys().next().value as string);
      this.decisions.set(key, { decision, used: ++this.decisionUses });
    }
    return decision;
  }

  /** Stops watching the files and drops the policies: every later request is denied. */
  close(): void {
    this.closed = true;
    this.stopWatching();
    this.listeners.clear();
    if (this.cedar && this.compiled) this.cedar.preparsePolicySet(this.setId, {});
    this.compiled = undefined;
    this.loadedText = undefined;
    this.decisions.clear();
  }

  /** The principal's entity for `compiled`, remembered per identity object while it is unchanged. */
  private principalOf(identity: McpIdentity | undefined, compiled: CompiledPolicySet): Built {
    if (!identity) return ANONYMOUS_ENTITY;
    const known = this.principals.get(identity);
    if (known && known.compiled === compiled && samePrincipal(known, identity)) return known;
    const scopes = [...(identity.scopes ?? NO_STRINGS)];
    const roles = [...(identity.roles ?? NO_STRINGS)];
    const entity = principalEntity(
      { subject: identity.subject, tenant: identity.tenant, proof: identity.proof, scopes, roles },
      compiled.reads.principal,
    );
    const memo: PrincipalMemo = {
      compiled,
      subject: identity.subject,
      tenant: identity.tenant,
      proof: identity.proof,
      scopes,
      roles,
      entity,
      id: this.idOf(JSON.stringify(entity)),
    };
    this.principals.set(identity, memo);
    return memo;
  }

  /** The resource's entity for `compiled`, remembered per resource object while it is unchanged. */
  private resourceOf(resource: PolicyResource, compiled: CompiledPolicySet): Built {
    const known = this.resources.get(resource);
    if (known && known.compiled === compiled && sameResource(known.resource, resource))
      return known;
    const copy: PolicyResource = { ...resource, tags: [...resource.tags] };
    const entity = resourceEntity(copy, compiled.reads.resource);
    const memo: ResourceMemo = {
      compiled,
      resource: copy,
      entity,
      id: this.idOf(JSON.stringify(entity)),
    };
    this.resources.set(resource, memo);
    return memo;
  }

  /**
   * The number that stands for an entity's JSON in decision keys: the same text, the same
   * number, so two identity objects of one caller (a new object per request, as API keys give)
   * share decisions. Numbers are never reused: a text forgotten (the least recently numbered
   * beyond {@link ENTITY_IDS_SIZE}) gets a new one, and its old decisions are never found again.
   */
  private idOf(json: string): number {
    let id = this.entityIds.get(json);
    if (id === undefined) {
      id = ++this.lastEntityId;
      if (this.entityIds.size >= ENTITY_IDS_SIZE)
        this.entityIds.delete(this.entityIds.keys().next().value as string);
      this.entityIds.set(json, id);
    }
    return id;
  }

  private apply(): PolicyReloadResult {
    let sources: PolicySource[];
    let compiled: CompiledPolicySet;
    const cedar = (this.cedar ??= loadCedar());
    try {
      sources = this.readSources();
      const text = JSON.stringify(sources);
      if (this.compiled && text === this.loadedText)
        return { ok: true, changed: false, generation: this.currentGeneration };
      compiled = compilePolicies(cedar, sources);
      const prepared = cedar.preparsePolicySet(this.setId, { staticPolicies: compiled.texts });
      if (prepared.type === 'failure')
        throw new PolicyLoadError(
          POLICY_SET_REJECTED(prepared.errors.map((e) => e.message).join('; ')),
          sources.map((s) => s.name).join(', '),
        );
      // Cedar has the new set under this engine's key: what goes with it is swapped in the
      // same turn, so no request sees one without the other.
      this.compiled = compiled;
      this.loadedText = text;
      this.decisions.clear();
    } catch (error) {
      if (!isPolicyLoadError(error)) throw error;
      return { ok: false, error, generation: this.currentGeneration };
    }
    const generation = ++this.currentGeneration;
    for (const warning of compiled.warnings) this.logger?.warn(warning);
    if (compiled.policies.length === 0)
      this.logger?.warn(POLICY_SET_EMPTY(sources.map((s) => s.name).join(', ') || 'no source'));
    this.logger?.log?.(POLICY_LOADED(generation, compiled.policies.length));
    for (const listener of this.listeners) {
      try {
        listener(generation);
      } catch (error) {
        this.logger?.warn(POLICY_LISTENER_FAILED(messageOf(error)));
      }
    }
    return { ok: true, changed: true, generation };
  }

  private readSources(): PolicySource[] {
    const sources: PolicySource[] = [];
    for (const file of this.options.files ?? []) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        throw new PolicyLoadError(POLICY_FILE_UNREADABLE(file, messageOf(error)), file, {
          cause: error,
        });
      }
      sources.push({ name: file, text });
    }
    if (this.options.policies !== undefined)
      sources.push({ name: INLINE_POLICIES_SOURCE, text: this.options.policies });
    return sources;
  }

  /**
   * Watches the files' directories rather than the files: editors and Kubernetes ConfigMaps
   * replace a file (a rename, a symlink swap), which a watch on the file itself would miss. Any
   * change there schedules one reload; a reload whose text did not change replaces nothing.
   */
  private startWatching(): void {
    const dirs = new Set((this.options.files ?? []).map((file) => dirname(resolve(file))));
    for (const dir of dirs) {
      try {
        const watcher = watch(dir, { persistent: false }, () => this.scheduleReload());
        watcher.on('error', (error) => {
          this.logger?.warn(POLICY_WATCH_FAILED(dir, messageOf(error)));
          watcher.close();
        });
        watcher.unref();
        this.watchers.push(watcher);
      } catch (error) {
        this.logger?.warn(POLICY_WATCH_FAILED(dir, messageOf(error)));
      }
    }
  }

  private scheduleReload(): void {
    if (this.closed) return;
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => {
      this.debounce = undefined;
      if (!this.closed) this.reload();
    }, POLICY_WATCH_DEBOUNCE_MS);
    this.debounce.unref();
  }

  private stopWatching(): void {
    clearTimeout(this.debounce);
    this.debounce = undefined;
    for (const watcher of this.watchers) watcher.close();
    this.watchers = [];
  }
}

interface EntityUid {
  type: string;
  id: string;
}

interface Entity {
  uid: EntityUid;
  attrs: Record<string, string | boolean | string[]>;
  parents: EntityUid[];
}

/** An entity with the number of its JSON text, as it goes into a decision's cache key. */
interface Built {
  entity: Entity;
  id: number;
}

/** A principal's entity and the identity fields it was built from (copies). */
interface PrincipalMemo extends Built {
  compiled: CompiledPolicySet;
  subject: string;
  tenant: string | undefined;
  proof: string | undefined;
  scopes: readonly string[];
  roles: readonly string[];
}

/** A resource's entity and the resource it was built from (a copy). */
interface ResourceMemo extends Built {
  compiled: CompiledPolicySet;
  resource: PolicyResource;
}

const ANONYMOUS: EntityUid = Object.freeze({ type: 'Rampart::Anonymous', id: 'anonymous' });
const NO_STRINGS = Object.freeze([]) as unknown as string[];
/** Entity numbers of the anonymous principal and of actions are negative: never an `idOf` one. */
const ANONYMOUS_ENTITY: Built = { entity: { uid: ANONYMOUS, attrs: {}, parents: [] }, id: 0 };

interface Action {
  uid: EntityUid;
  /** `-1`, `-2`…: one per method; none past the first 256 methods (never remembered). */
  id?: number;
}

const actions = new Map<string, Action>();
function actionOf(method: string): Action {
  const known = actions.get(method);
  if (known) return known;
  const action: Action = { uid: { type: 'Rampart::Action', id: method } };
  if (actions.size < 256) {
    action.id = -(actions.size + 1);
    actions.set(method, action);
  }
  return action;
}

/** A denial that no policy decided: `reason` says why nothing was evaluated. */
function denied(reason: string): PolicyDecision {
  return { allowed: false, policies: [], errors: [reason] };
}

function samePrincipal(memo: PrincipalMemo, identity: McpIdentity): boolean {
  return (
    memo.subject === identity.subject &&
    memo.tenant === identity.tenant &&
    memo.proof === identity.proof &&
    sameStrings(memo.scopes, identity.scopes) &&
    sameStrings(memo.roles, identity.roles)
  );
}

function sameResource(a: PolicyResource, b: PolicyResource): boolean {
  return (
    a.kind === b.kind &&
    a.id === b.id &&
    a.server === b.server &&
    a.risk === b.risk &&
    a.readOnly === b.readOnly &&
    a.destructive === b.destructive &&
    a.openWorld === b.openWorld &&
    sameStrings(a.tags, b.tags)
  );
}

function sameStrings(copy: readonly string[], current: readonly string[] | undefined): boolean {
  const list = current ?? NO_STRINGS;
  if (copy.length !== list.length) return false;
  for (let i = 0; i < list.length; i++) if (copy[i] !== list[i]) return false;
  return true;
}

/** The principal entity of an identity (its lists are the memo's own copies). */
function principalEntity(identity: McpIdentity, reads: AttributeReads['principal']): Entity {
  const all = reads === 'all';
  // Read-only arrays go to Cedar as they are (serialized, never changed).
  const roles = (identity.roles ?? NO_STRINGS) as string[];
  const attrs: Entity['attrs'] = {};
  if ((all || reads.has('tenant')) && identity.tenant !== undefined) attrs.tenant = identity.tenant;
  if (all || reads.has('scopes')) attrs.scopes = (identity.scopes ?? NO_STRINGS) as string[];
  if (all || reads.has('roles')) attrs.roles = roles;
  if ((all || reads.has('proof')) && identity.proof !== undefined) attrs.proof = identity.proof;
  const parents: EntityUid[] = [];
  for (const role of roles) parents.push({ type: 'Rampart::Role', id: role });
  return { uid: { type: 'Rampart::Subject', id: identity.subject }, attrs, parents };
}

function resourceEntity(resource: PolicyResource, reads: AttributeReads['resource']): Entity {
  const all = reads === 'all';
  const attrs: Entity['attrs'] = {};
  if (all || reads.has('server')) attrs.server = resource.server;
  if (all || reads.has('tags')) attrs.tags = resource.tags as string[];
  if (all || reads.has('risk')) attrs.risk = resource.risk;
  if (all || reads.has('readOnly')) attrs.readOnly = resource.readOnly;
  if (all || reads.has('destructive')) attrs.destructive = resource.destructive;
  if (all || reads.has('openWorld')) attrs.openWorld = resource.openWorld;
  return {
    uid: { type: `Rampart::${resource.kind}`, id: resource.id },
    attrs,
    parents: [{ type: 'Rampart::Server', id: resource.server }],
  };
}

/** Cedar's answer, with the stricter rule on failed forbids. */
function decisionOf(response: Cedar.Response, forbids: ReadonlySet<string>): PolicyDecision {
  const { decision, diagnostics } = response;
  const errors: string[] = [];
  let failedForbids: string[] | undefined;
  for (const { policyId, error } of diagnostics.errors) {
    errors.push(`${policyId}: ${error.message}`);
    if (forbids.has(policyId)) (failedForbids ??= []).push(policyId);
  }
  // Frozen, lists included: a remembered decision is handed to every later request.
  if (failedForbids)
    return Object.freeze({
      allowed: false,
      policies: Object.freeze(
        decision === 'deny' ? [...diagnostics.reason, ...failedForbids] : failedForbids,
      ),
      errors: Object.freeze(errors),
    });
  return Object.freeze({
    allowed: decision === 'allow',
    policies: Object.freeze(diagnostics.reason),
    errors: Object.freeze(errors),
  });
}

function contextOf(
  context: Readonly<Record<string, unknown>>,
  reads: AttributeReads['context'],
): CedarJsonRecord {
  return reads !== true && reads.size === 0 ? {} : toCedarRecord(context, reads);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
