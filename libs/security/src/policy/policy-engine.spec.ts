import type { McpIdentity } from '@rampart/core';
import fs from 'node:fs';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPolicyLoadError, PolicyLoadError } from '../errors/policy-load.error';
import {
  DECISION_CACHE_SIZE,
  INLINE_POLICIES_SOURCE,
  PolicyEngine,
  type PolicyEngineLogger,
} from './policy-engine';
import type { PolicyRequest, PolicyResource } from './policy.interfaces';

class RecordingLogger implements PolicyEngineLogger {
  readonly warnings: string[] = [];
  readonly lines: string[] = [];
  warn(message: string): void {
    this.warnings.push(message);
  }
  log(message: string): void {
    this.lines.push(message);
  }
}

const tool = (overrides: Partial<PolicyResource> = {}): PolicyResource => ({
  kind: 'Tool',
  id: 'pay',
  server: 'billing',
  tags: [],
  risk: 'medium',
  readOnly: false,
  destructive: false,
  openWorld: false,
  ...overrides,
});

const alice: McpIdentity = { subject: 'alice', tenant: 'acme', scopes: ['pay:write'], roles: [] };

const request = (overrides: Partial<PolicyRequest> = {}): PolicyRequest => ({
  principal: alice,
  action: 'tools/call',
  resource: tool(),
  context: { tenant: 'acme', environment: 'production', now: 1_780_000_000 },
  ...overrides,
});

const engineFor = (policies: string, logger?: PolicyEngineLogger): PolicyEngine => {
  const engine = new PolicyEngine({ policies }, logger);
  engine.load();
  return engine;
};

/** Resolves with the next generation `engine` announces; rejects after `ms` (a bound, not a wait). */
const nextChange = (engine: PolicyEngine, ms = 10_000): Promise<number> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no policy change within ${ms} ms`));
    }, ms);
    const off = engine.onChange((generation) => {
      clearTimeout(timer);
      off();
      resolve(generation);
    });
  });

const PERMIT_ALL = '@id("everyone") permit(principal, action, resource);';

describe('PolicyEngine', () => {
  const engines: PolicyEngine[] = [];
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rampart-policies-'));
  });
  afterEach(() => {
    for (const engine of engines.splice(0)) engine.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const track = (engine: PolicyEngine) => (engines.push(engine), engine);
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  describe('decisions', () => {
    it('permits what a permit allows, names it by its @id, and denies everything else', () => {
      const engine = track(
        engineFor(
          '@id("read-tools") permit(principal, action == Rampart::Action::"tools/call", resource) when { resource.readOnly };',
        ),
      );
      expect(engine.authorize(request({ resource: tool({ readOnly: true }) }))).toEqual({
        allowed: true,
        policies: ['read-tools'],
        errors: [],
      });
      expect(engine.authorize(request())).toEqual({ allowed: false, policies: [], errors: [] });
      expect(
        engine.authorize(request({ action: 'prompts/get', resource: tool({ readOnly: true }) })),
      ).toMatchObject({ allowed: false });
    });

    it('lets a forbid win over a permit and names the forbid', () => {
      const engine = track(
        engineFor(
          `${PERMIT_ALL}
           @id("no-destructive") forbid(principal, action, resource) when { resource.destructive };`,
        ),
      );
      expect(engine.authorize(request({ resource: tool({ destructive: true }) }))).toEqual({
        allowed: false,
        policies: ['no-destructive'],
        errors: [],
      });
      expect(engine.authorize(request())).toEqual({
        allowed: true,
        policies: ['everyone'],
        errors: [],
      });
    });

    it('makes a caller a member of Rampart::Role::"<role>" for each of its roles', () => {
      const engine = track(
        engineFor('@id("admins") permit(principal in Rampart::Role::"admin", action, resource);'),
      );
      const admin = { ...alice, roles: ['auditor', 'admin'] };
      expect(engine.authorize(request({ principal: admin }))).toMatchObject({
        allowed: true,
        policies: ['admins'],
      });
      expect(engine.authorize(request({ principal: { ...alice, roles: ['user'] } })).allowed).toBe(
        false,
      );
      expect(engine.authorize(request({ principal: { subject: 'admin' } })).allowed).toBe(false);
    });

    it('gives the principal its tenant, scopes, roles and proof, and the resource its tags, risk and server', () => {
      const engine = track(
        engineFor(`
          @id("finance") permit(principal, action, resource in Rampart::Server::"billing")
          when {
            resource.tags.contains("finance") && resource.risk == "high" && resource.server == "billing" &&
            principal.scopes.contains("pay:write") && principal.roles.contains("clerk") &&
            principal.tenant == "acme" && principal.proof == "jwt"
          };`),
      );
      const clerk = { ...alice, roles: ['clerk'], proof: 'jwt' };
      const finance = tool({ tags: ['finance', 'payments'], risk: 'high' });
      expect(engine.authorize(request({ principal: clerk, resource: finance }))).toMatchObject({
        allowed: true,
        policies: ['finance'],
      });
      expect(
        engine.authorize(request({ principal: clerk, resource: tool({ risk: 'high' }) })).allowed,
      ).toBe(false);
      expect(
        engine.authorize(request({ principal: clerk, resource: { ...finance, server: 'other' } }))
          .allowed,
      ).toBe(false);
      // No proof: the attribute is absent, the permit fails on it and permits nothing.
      const unproven = engine.authorize(
        request({ principal: { ...clerk, proof: undefined }, resource: finance }),
      );
      expect(unproven.allowed).toBe(false);
      expect(unproven.errors).toEqual([expect.stringMatching(/^finance: .*proof/)]);
    });

    it('reads the tenant and environment from the context', () => {
      const engine = track(
        engineFor(`@id("acme-prod") permit(principal, action, resource)
          when { context has tenant && context.tenant == "acme" && context.environment == "production" };`),
      );
      expect(engine.authorize(request()).allowed).toBe(true);
      const other = request({ context: { tenant: 'globex', environment: 'production', now: 1 } });
      expect(engine.authorize(other).allowed).toBe(false);
      const none = engine.authorize(request({ context: { environment: 'production', now: 1 } }));
      expect(none).toEqual({ allowed: false, policies: [], errors: [] });
    });

    describe('a policy on the arguments', () => {
      const guarded = `${PERMIT_ALL}
        @id("large-payments") forbid(principal, action, resource)
        when { context has arguments && context.arguments has amount && context.arguments.amount > 100 };`;
      const withArgs = (args: Record<string, unknown> | undefined) =>
        request({
          context: { tenant: 'acme', environment: 'production', now: 1, arguments: args },
        });

      it('forbids what it says with the arguments present, and lets other calls and lists through', () => {
        const engine = track(engineFor(guarded));
        expect(engine.authorize(withArgs({ amount: 150 }))).toEqual({
          allowed: false,
          policies: ['large-payments'],
          errors: [],
        });
        expect(engine.authorize(withArgs({ amount: 50 })).allowed).toBe(true);
        expect(engine.authorize(withArgs({ to: 'bob' })).allowed).toBe(true);
        expect(engine.authorize(request()).allowed).toBe(true); // a list: no arguments
      });

      it('does not let a non-integer amount slip past the forbid', () => {
        const engine = track(engineFor(guarded));
        // 150.5 reaches Cedar as the String "150.5": `>` fails on it, and a failing forbid denies.
        const decision = engine.authorize(withArgs({ amount: 150.5 }));
        expect(decision.allowed).toBe(false);
        expect(decision.policies).toEqual(['large-payments']);
        expect(decision.errors).toEqual([expect.stringMatching(/^large-payments: /)]);
      });

      it('denies, without throwing, when an unguarded forbid meets a request without arguments', () => {
        const engine = track(
          engineFor(`${PERMIT_ALL}
            @id("unguarded") forbid(principal, action, resource) when { context.arguments.amount > 100 };`),
        );
        const decision = engine.authorize(request());
        expect(decision.allowed).toBe(false);
        expect(decision.policies).toEqual(['unguarded']);
        expect(decision.errors).toEqual([expect.stringMatching(/^unguarded: .*arguments/)]);
        expect(engine.authorize(withArgs({ amount: 5 })).allowed).toBe(true);
      });

      it('never permits by error: an unguarded permit on absent arguments permits nothing', () => {
        const engine = track(
          engineFor(
            '@id("big-only") permit(principal, action, resource) when { context.arguments.amount > 100 };',
          ),
        );
        for (const args of [undefined, {}, { amount: 'lots' }, { amount: null }, { amount: [] }]) {
          const decision = engine.authorize(withArgs(args));
          expect(decision.allowed).toBe(false);
          expect(decision.policies).toEqual([]);
        }
        expect(engine.authorize(withArgs({ amount: 101 })).allowed).toBe(true);
      });
    });

    it('gives the policies only what they read of the arguments, so unrelated data cannot deny', () => {
      const engine = track(
        engineFor(`${PERMIT_ALL}
          @id("large-payments") forbid(principal, action, resource)
          when { context has arguments && context.arguments has amount && context.arguments.amount > 100 };`),
      );
      const blob = Array.from({ length: 20_000 }, (_, i) => i);
      const args = (amount: number) => ({ amount, attachment: blob, memo: { deep: [[[['x']]]] } });
      const call = (amount: number) =>
        request({ context: { environment: 'x', now: 1, arguments: args(amount) } });
      expect(engine.authorize(call(5))).toEqual({
        allowed: true,
        policies: ['everyone'],
        errors: [],
      });
      expect(engine.authorize(call(500)).policies).toEqual(['large-payments']);
    });

    it('answers a repeated request with the same frozen decision, which no caller can change', () => {
      const engine = track(
        engineFor(`${PERMIT_ALL}
          @id("no-high") forbid(principal, action, resource) when { resource.risk == "high" };`),
      );
      const first = engine.authorize(request({ resource: tool({ risk: 'high' }) }));
      expect(() => (first.policies as string[]).push('tampered')).toThrow(TypeError);
      expect(() => (first.errors as string[]).push('tampered')).toThrow(TypeError);
      expect(() => Object.assign(first, { allowed: true })).toThrow(TypeError);
      expect(engine.authorize(request({ resource: tool({ risk: 'high' }) }))).toBe(first);
      expect(engine.authorize(request({ resource: tool({ risk: 'high' }) }))).toEqual({
        allowed: false,
        policies: ['no-high'],
        errors: [],
      });
      expect(engine.authorize(request({ resource: tool({ risk: 'low' }) })).allowed).toBe(true);
      expect(engine.authorize(request({ resource: tool({ risk: 'high' }) })).allowed).toBe(false);
    });

    it('shares a decision between identity objects of one caller, never between callers', () => {
      const engine = track(
        engineFor(`${PERMIT_ALL}
          @id("no-mallory") forbid(principal == Rampart::Subject::"mallory", action, resource);`),
      );
      // A new identity object per request (as an API key gives) with the same fields.
      const decision = engine.authorize(request({ principal: { ...alice } }));
      expect(decision).toEqual({ allowed: true, policies: ['everyone'], errors: [] });
      expect(engine.authorize(request({ principal: { ...alice } }))).toBe(decision);
      // Another caller whose entity differs in one field only is decided on its own.
      const mallory = engine.authorize(request({ principal: { ...alice, subject: 'mallory' } }));
      expect(mallory).toEqual({ allowed: false, policies: ['no-mallory'], errors: [] });
      expect(engine.authorize(request({ principal: { ...alice, subject: 'mallory' } }))).toBe(
        mallory,
      );
      expect(engine.authorize(request({ principal: { ...alice } }))).toBe(decision);
    });

    it('decides again when an identity or resource it has seen changes in place', () => {
      const engine = track(
        engineFor(`${PERMIT_ALL}
          @id("admins-only") forbid(principal, action, resource) unless { principal in Rampart::Role::"admin" };
          @id("no-trial") forbid(principal, action, resource) when { principal has tenant && principal.tenant == "trial" };
          @id("no-beta") forbid(principal, action, resource) when { resource.tags.contains("beta") };`),
      );
      const bob: McpIdentity = { subject: 'bob', tenant: 'acme', scopes: [], roles: ['admin'] };
      const pay = tool({ tags: ['finance'] });
      const ask = () => engine.authorize(request({ principal: bob, resource: pay }));
      expect(ask().allowed).toBe(true);
      (bob.roles as string[]).pop();
      expect(ask().policies).toEqual(['admins-only']);
      (bob.roles as string[]).push('admin');
      expect(ask().allowed).toBe(true);
      bob.tenant = 'trial';
      expect(ask().policies).toEqual(['no-trial']);
      bob.tenant = 'acme';
      (pay.tags as string[]).push('beta');
      expect(ask().policies).toEqual(['no-beta']);
      (pay as { tags: readonly string[] }).tags = ['finance'];
      expect(ask().allowed).toBe(true);
      pay.id = 'refund';
      expect(
        engine.authorize(
          request({ principal: { subject: 'carol', roles: ['admin'] }, resource: pay }),
        ).allowed,
      ).toBe(true);
    });

    it('sends the same identity what the policies in force read, after a reload', () => {
      const path = file('p.cedar', '@id("any") permit(principal, action, resource);');
      const engine = track(new PolicyEngine({ files: [path] }));
      engine.load();
      const dana: McpIdentity = { subject: 'dana', tenant: 'trial', scopes: [], roles: [] };
      expect(engine.authorize(request({ principal: dana })).allowed).toBe(true);
      writeFileSync(
        path,
        '@id("any") permit(principal, action, resource);\n@id("no-trial") forbid(principal, action, resource) when { principal has tenant && principal.tenant == "trial" };',
      );
      expect(engine.reload()).toMatchObject({ ok: true, changed: true });
      expect(engine.authorize(request({ principal: dana })).policies).toEqual(['no-trial']);
    });

    it('sees anonymous callers as Rampart::Anonymous::"anonymous", without attributes', () => {
      const engine = track(
        engineFor(`
          @id("public-read") permit(principal == Rampart::Anonymous::"anonymous", action, resource)
            when { resource.readOnly };
          @id("members") permit(principal is Rampart::Subject, action, resource);
          @id("need-scope") forbid(principal, action, resource)
            when { resource.risk == "high" } unless { principal.scopes.contains("high-risk") };`),
      );
      const anonymousRead = request({ principal: undefined, resource: tool({ readOnly: true }) });
      expect(engine.authorize(anonymousRead)).toMatchObject({
        allowed: true,
        policies: ['public-read'],
      });
      expect(engine.authorize(request({ principal: undefined })).allowed).toBe(false);
      expect(engine.authorize(request()).policies).toEqual(['members']);
      // Anonymous callers have no scopes: the forbid fails on them, and so denies.
      const risky = engine.authorize(
        request({ principal: undefined, resource: tool({ readOnly: true, risk: 'high' }) }),
      );
      expect(risky).toMatchObject({ allowed: false, policies: ['need-scope'] });
    });

    it("names policies without @id by Cedar's policyN, numbered across files then inline text", () => {
      const a = file('a.cedar', 'permit(principal, action, resource) when { resource.readOnly };');
      const b = file(
        'b.cedar',
        `@id("tagged") permit(principal, action, resource) when { resource.tags.contains("x") };
         forbid(principal, action, resource) when { resource.destructive };`,
      );
      const engine = track(
        new PolicyEngine({
          files: [a, b],
          policies: 'permit(principal, action, resource) when { resource.openWorld };',
        }),
      );
      engine.load();
      expect(engine.policies).toEqual([
        { id: 'policy0', effect: 'permit', source: a, line: 1 },
        { id: 'tagged', effect: 'permit', source: b, line: 1 },
        { id: 'policy2', effect: 'forbid', source: b, line: 2 },
        { id: 'policy3', effect: 'permit', source: INLINE_POLICIES_SOURCE, line: 1 },
      ]);
      expect(engine.authorize(request({ resource: tool({ readOnly: true }) })).policies).toEqual([
        'policy0',
      ]);
      expect(engine.authorize(request({ resource: tool({ openWorld: true }) })).policies).toEqual([
        'policy3',
      ]);
      expect(
        engine.authorize(request({ resource: tool({ openWorld: true, destructive: true }) })),
      ).toMatchObject({ allowed: false, policies: ['policy2'] });
    });

    it('keeps the written order past ten policies', () => {
      const text = Array.from(
        { length: 12 },
        (_, i) => `permit(principal, action, resource) when { resource.id == "t${i}" };`,
      ).join('\n');
      const engine = track(engineFor(text.replace(/resource\.id/g, 'resource.server')));
      expect(engine.policies.map((p) => [p.id, p.line])).toEqual(
        Array.from({ length: 12 }, (_, i) => [`policy${i}`, i + 1]),
      );
      expect(engine.authorize(request({ resource: tool({ server: 't11' }) })).policies).toEqual([
        'policy11',
      ]);
    });

    it("denies everything with an empty policy set (Cedar's default), and says so at load", () => {
      const logger = new RecordingLogger();
      const engine = track(engineFor('// nothing here yet\n', logger));
      expect(engine.authorize(request())).toEqual({ allowed: false, policies: [], errors: [] });
      expect(logger.warnings).toEqual([expect.stringMatching(/holds no policy.*denied/)]);
    });

    it('denies before load() and after close()', () => {
      const engine = new PolicyEngine({ policies: PERMIT_ALL });
      expect(engine.authorize(request())).toMatchObject({
        allowed: false,
        errors: [expect.stringMatching(/not loaded/)],
      });
      engine.load();
      expect(engine.authorize(request()).allowed).toBe(true);
      engine.close();
      expect(engine.authorize(request()).allowed).toBe(false);
    });

    it('remembers a decision while it is in use, and forgets the least recently used first', () => {
      // A remembered decision is handed out again as the same object; a new evaluation makes a
      // new one. The policy reads the time, so each second is a request of its own.
      const engine = track(
        engineFor('@id("any-time") permit(principal, action, resource) when { context.now >= 0 };'),
      );
      const at = (now: number) =>
        request({ context: { tenant: 'acme', environment: 'production', now } });
      const hot = engine.authorize(at(0));
      const cold = engine.authorize(at(1));
      for (let i = 0; i < 3 * DECISION_CACHE_SIZE; i++) {
        engine.authorize(at(100 + i));
        if (i % 100 === 0) expect(engine.authorize(at(0))).toBe(hot);
      }
      expect(engine.authorize(at(0))).toBe(hot);
      expect(engine.authorize(at(1))).not.toBe(cold);
      expect(engine.authorize(at(1))).toEqual(cold);
    });

    it('keeps engines apart: each has its own policy set', () => {
      const permit = track(engineFor(PERMIT_ALL));
      const deny = track(engineFor('forbid(principal, action, resource);'));
      expect(permit.authorize(request()).allowed).toBe(true);
      expect(deny.authorize(request()).allowed).toBe(false);
    });
  });

  describe('attacks', () => {
    it('does not let a subject, role or name that looks like policy text change the decision', () => {
      const engine = track(
        engineFor(`
          @id("alice") permit(principal == Rampart::Subject::"alice", action, resource);
          @id("admins") permit(principal in Rampart::Role::"admin", action, resource);
          @id("no-secret") forbid(principal, action, resource == Rampart::Tool::"secret");`),
      );
      const forged = [
        'alice" || true',
        'alice"',
        '"alice"',
        'alice\\',
        'alice" , action, resource); permit(principal',
        'Rampart::Subject::"alice"',
        'Rampart::Role::"admin"',
        'ALICE',
        'alice\u0000',
      ];
      for (const subject of forged)
        expect(engine.authorize(request({ principal: { subject } }))).toMatchObject({
          allowed: false,
          policies: [],
        });
      for (const role of ['admin"', 'admin" || true', 'Rampart::Role::"admin"', ' admin'])
        expect(
          engine.authorize(request({ principal: { subject: 'mallory', roles: [role] } })).allowed,
        ).toBe(false);
      expect(
        engine.authorize(request({ resource: tool({ id: 'secret" || false || "' }) })).allowed,
      ).toBe(true);
      expect(engine.authorize(request({ resource: tool({ id: 'secret' }) })).allowed).toBe(false);
    });

    it('does not crash or permit on arguments with prototype-pollution keys', () => {
      const engine = track(
        engineFor(`
          @id("small") permit(principal, action, resource)
            when { context has arguments && context.arguments has amount && context.arguments.amount <= 100 };
          @id("admin-flag") forbid(principal, action, resource)
            when { context has arguments && context.arguments has isAdmin };
          @id("whole") forbid(principal, action, resource)
            when { context has arguments && context.arguments == {"never": true} };`),
      );
      const hostile = [
        '{"__proto__": {"amount": 1, "isAdmin": true}}',
        '{"constructor": {"prototype": {"amount": 1}}}',
        '{"__proto__": null, "constructor": null, "prototype": 5}',
        '{"amount": 500, "__proto__": {"amount": 1}}',
        '{"toString": 1, "valueOf": {"amount": 1}, "hasOwnProperty": "amount"}',
      ];
      for (const json of hostile) {
        const args = JSON.parse(json) as Record<string, unknown>;
        const decision = engine.authorize(
          request({ context: { environment: 'production', now: 1, arguments: args } }),
        );
        expect(decision.allowed).toBe(false);
      }
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
      expect(({} as Record<string, unknown>).amount).toBeUndefined();
      const fine = request({ context: { environment: 'x', now: 1, arguments: { amount: 1 } } });
      expect(engine.authorize(fine)).toMatchObject({ allowed: true, policies: ['small'] });
    });

    it('does not let arguments forge an entity or break the request with a bad extension value', () => {
      const engine = track(
        engineFor(`${PERMIT_ALL}
          @id("own-account") forbid(principal, action, resource)
            unless { context has arguments && context.arguments has account && context.arguments.account == principal };
          @id("admin-via-args") permit(principal, action, resource)
            when { context has arguments && context.arguments has as && context.arguments.as in Rampart::Role::"admin" };`),
      );
      const args = {
        account: { __entity: { type: 'Rampart::Subject', id: 'alice' } },
        as: { __entity: { type: 'Rampart::Role', id: 'admin' } },
        limit: { __extn: { fn: 'decimal', arg: 'garbage' } },
      };
      const decision = engine.authorize(
        request({ context: { environment: 'x', now: 1, arguments: args } }),
      );
      expect(decision.allowed).toBe(false);
      expect(decision.policies).toContain('own-account');
    });

    it('denies, without throwing, arguments too deep, too large, cyclic or with broken strings', () => {
      const engine = track(
        engineFor(`${PERMIT_ALL}
          @id("args") forbid(principal, action, resource) when { context has arguments && context.arguments == {} };`),
      );
      let deep: unknown = 1;
      for (let i = 0; i < 5_000; i++) deep = [deep];
      const cyclic: Record<string, unknown> = {};
      cyclic.self = cyclic;
      for (const args of [{ deep }, { many: Array.from({ length: 20_000 }, () => 'x') }, cyclic]) {
        const decision = engine.authorize(
          request({ context: { environment: 'x', now: 1, arguments: args } }),
        );
        expect(decision).toMatchObject({
          allowed: false,
          errors: [expect.stringMatching(/cannot be given to the policies/)],
        });
      }
      // Lone surrogates are replaced, so the request is evaluated.
      const broken = engine.authorize(
        request({ context: { environment: 'x', now: 1, arguments: { note: '\ud800' } } }),
      );
      expect(broken).toEqual({ allowed: true, policies: ['everyone'], errors: [] });
    });

    it('denies, without throwing, an identity Cedar cannot take', () => {
      const engine = track(engineFor(PERMIT_ALL));
      const odd = { subject: 'x\ud800', scopes: [null, 1] } as unknown as McpIdentity;
      const decision = engine.authorize(request({ principal: odd }));
      expect(decision.allowed).toBe(false);
      expect(decision.errors).toEqual([expect.stringMatching(/could not evaluate/)]);
    });
  });

  describe('loading', () => {
    it('throws a PolicyLoadError naming the file, the line and what Cedar says', () => {
      const good = file('good.cedar', PERMIT_ALL);
      const bad = file(
        'bad.cedar',
        'permit(principal, action, resource);\npermit(principal, action',
      );
      const engine = track(new PolicyEngine({ files: [good, bad] }));
      let error: unknown;
      try {
        engine.load();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(PolicyLoadError);
      expect(isPolicyLoadError(error)).toBe(true);
      const loadError = error as PolicyLoadError;
      expect(loadError.source).toBe(bad);
      expect(loadError.message).toContain(`"${bad}"`);
      expect(loadError.message).toMatch(/line 2, column \d+: unexpected/);
      expect(engine.generation).toBe(0);
      expect(engine.authorize(request()).allowed).toBe(false);
    });

    it('names inline policies, a missing file, templates and duplicate ids', () => {
      expect(() => new PolicyEngine({ policies: 'permit(' }).load()).toThrow(
        /Cannot parse the Cedar policies in "inline policies", line 1/,
      );
      const missing = join(dir, 'missing.cedar');
      expect(() => new PolicyEngine({ files: [missing] }).load()).toThrow(
        expect.objectContaining({ source: missing, message: expect.stringContaining('ENOENT') }),
      );
      expect(() =>
        new PolicyEngine({ policies: 'permit(principal == ?principal, action, resource);' }).load(),
      ).toThrow(/template/);
      const a = file('a.cedar', '@id("same") permit(principal, action, resource);');
      expect(() =>
        new PolicyEngine({
          files: [a],
          policies: '\n@id("same") forbid(principal, action, resource);',
        }).load(),
      ).toThrow(
        `Two Cedar policies have the id "same" (${a} line 1 and inline policies line 2); a decision names the policy that made it, so give each policy its own @id("…").`,
      );
      expect(() =>
        new PolicyEngine({
          policies:
            'permit(principal, action, resource);\n@id("policy0") forbid(principal, action, resource);',
        }).load(),
      ).toThrow(/id "policy0"/);
      expect(isPolicyLoadError(new Error('other'))).toBe(false);
    });

    it('warns about entity types Rampart never sends', () => {
      const logger = new RecordingLogger();
      track(
        engineFor(
          `@id("typo") permit(principal in Rampart::Rol::"admin", action, resource is Rampart::Tool)
             when { resource in Server::"billing" };`,
          logger,
        ),
      );
      expect(logger.warnings).toEqual([
        expect.stringContaining('names the entity type Rampart::Rol'),
        expect.stringContaining('names the entity type Server'),
      ]);
      expect(logger.lines).toEqual(['Cedar policies loaded: generation 1, 1 policy']);
    });
  });

  describe('reload', () => {
    it('keeps serving the previous policies when a file breaks, and says why', () => {
      const path = file('p.cedar', PERMIT_ALL);
      const logger = new RecordingLogger();
      const engine = track(new PolicyEngine({ files: [path] }, logger));
      engine.load();
      const changes: number[] = [];
      engine.onChange((generation) => changes.push(generation));

      writeFileSync(path, 'permit(principal, action, resource) when {');
      const result = engine.reload();
      expect(result).toMatchObject({ ok: false, generation: 1 });
      expect(!result.ok && result.error.source).toBe(path);
      expect(engine.generation).toBe(1);
      expect(engine.authorize(request())).toMatchObject({ allowed: true, policies: ['everyone'] });
      expect(changes).toEqual([]);
      expect(logger.warnings).toEqual([
        expect.stringMatching(/not reloaded, generation 1 stays in force: Cannot parse .*p\.cedar/),
      ]);

      rmSync(path);
      expect(engine.reload()).toMatchObject({ ok: false, generation: 1 });
      expect(engine.authorize(request()).allowed).toBe(true);
    });

    it('puts a good file in force: decisions change, the generation grows, listeners hear of it', () => {
      const path = file('p.cedar', PERMIT_ALL);
      const engine = track(new PolicyEngine({ files: [path] }));
      engine.load();
      expect(engine.generation).toBe(1);
      const changes: number[] = [];
      const off = engine.onChange((generation) => changes.push(generation));
      engine.onChange(() => {
        throw new Error('a broken listener');
      });

      writeFileSync(path, `${PERMIT_ALL}\n@id("lockdown") forbid(principal, action, resource);`);
      expect(engine.reload()).toEqual({ ok: true, changed: true, generation: 2 });
      expect(engine.authorize(request())).toMatchObject({ allowed: false, policies: ['lockdown'] });
      expect(changes).toEqual([2]);

      // The same text again replaces nothing.
      expect(engine.reload()).toEqual({ ok: true, changed: false, generation: 2 });
      expect(changes).toEqual([2]);

      off();
      writeFileSync(path, PERMIT_ALL);
      expect(engine.reload()).toMatchObject({ ok: true, generation: 3 });
      expect(changes).toEqual([2]);
      expect(engine.authorize(request()).allowed).toBe(true);
    });

    it('keeps the old policies when a reload brings a duplicate id', () => {
      const path = file('p.cedar', PERMIT_ALL);
      const engine = track(new PolicyEngine({ files: [path], policies: '' }));
      engine.load();
      writeFileSync(path, `${PERMIT_ALL}\n${PERMIT_ALL.replace('permit', 'forbid')}`);
      expect(engine.reload()).toMatchObject({ ok: false, generation: 1 });
      expect(engine.authorize(request()).allowed).toBe(true);
    });
  });

  describe('watch', () => {
    it('reloads when a watched file changes, also when it is replaced by a rename', async () => {
      const path = file('p.cedar', PERMIT_ALL);
      const engine = track(new PolicyEngine({ files: [path], watch: true }));
      engine.load();

      let changed = nextChange(engine);
      writeFileSync(path, '@id("lockdown") forbid(principal, action, resource);');
      await expect(changed).resolves.toBe(2);
      expect(engine.authorize(request())).toMatchObject({ allowed: false, policies: ['lockdown'] });

      // Editors and ConfigMaps write a new file and rename it over the old one.
      changed = nextChange(engine);
      const temp = join(dir, '.p.cedar.tmp');
      writeFileSync(temp, PERMIT_ALL);
      renameSync(temp, path);
      await expect(changed).resolves.toBe(3);
      expect(engine.authorize(request()).allowed).toBe(true);
    });

    it('stops watching on close()', async () => {
      const path = file('p.cedar', PERMIT_ALL);
      // Created first, so a change reaches its watcher and its (same-length) debounce first.
      const closed = new PolicyEngine({ files: [path], watch: true });
      closed.load();
      const witness = track(new PolicyEngine({ files: [path], watch: true }));
      witness.load();
      const reloads: number[] = [];
      closed.onChange((generation) => reloads.push(generation));
      closed.close();

      const changed = nextChange(witness);
      writeFileSync(path, '@id("lockdown") forbid(principal, action, resource);');
      await expect(changed).resolves.toBe(2);
      await new Promise((resolve) => setImmediate(resolve));
      expect(reloads).toEqual([]);
      expect(closed.generation).toBe(1);
    });

    it('does not watch without watch: true', () => {
      const spy = jest.spyOn(fs, 'watch');
      try {
        track(new PolicyEngine({ files: [file('p.cedar', PERMIT_ALL)] })).load();
        expect(spy).not.toHaveBeenCalled();
      } finally {
        spy.mockRestore();
      }
    });
  });
});
