import * as cedar from '@cedar-policy/cedar-wasm/nodejs';
import { compilePolicies, type AttributeReads, type ContextReads } from './policy-set';

/** Context reads as dotted paths, each read whole, or `?` when only its presence is. */
const pathsOf = (reads: ContextReads, prefix = ''): string[] | 'all' =>
  reads === true
    ? 'all'
    : [...reads].flatMap(([key, sub]) =>
        sub === true
          ? [prefix + key]
          : sub.size === 0
            ? [`${prefix}${key}?`]
            : (pathsOf(sub, `${prefix}${key}.`) as string[]),
      );

const readsOf = (text: string): Record<keyof AttributeReads, string[] | 'all'> => {
  const { reads } = compilePolicies(cedar, [{ name: 'test', text }]);
  const list = (r: ReadonlySet<string> | 'all') => (r === 'all' ? 'all' : [...r].sort());
  const paths = pathsOf(reads.context);
  return {
    principal: list(reads.principal),
    resource: list(reads.resource),
    context: paths === 'all' ? paths : paths.sort(),
  };
};

describe('compilePolicies', () => {
  it('finds the attributes that the policies read, and only those', () => {
    expect(
      readsOf(`
        permit(principal in Rampart::Role::"admin", action, resource in Rampart::Server::"s");
        permit(principal, action, resource)
          when { principal has tenant && principal.tenant == context.tenant && resource.tags.contains("x") }
          unless { context has arguments.amount && context.arguments.amount > 100 && context["now"] > 5 };`),
    ).toEqual({
      principal: ['tenant'],
      resource: ['tags'],
      context: ['arguments.amount', 'now', 'tenant'],
    });
    expect(readsOf('permit(principal, action, resource);')).toEqual({
      principal: [],
      resource: [],
      context: [],
    });
  });

  it('reads a value whole when a policy uses it beyond attribute access', () => {
    expect(
      readsOf(`
        permit(principal, action, resource) when {
          context has arguments.amount && context.arguments.amount > 1 &&
          context.arguments.items.contains("x") && context.arguments.to.name == "bob" &&
          context.arguments.to == context.arguments.from
        };`).context,
    ).toEqual(['arguments.amount', 'arguments.from', 'arguments.items', 'arguments.to']);
    expect(
      readsOf(`
        permit(principal, action, resource) when { context.arguments.a.b == 1 };
        permit(principal, action, resource) when { context.arguments.a == {} };
        permit(principal, action, resource) when { context has arguments && context.arguments == {} };`)
        .context,
    ).toEqual(['arguments']);
    // `has` needs the key, not its value.
    expect(
      readsOf(`
        permit(principal, action, resource) when { context has arguments && context.arguments has amount };
        permit(principal, action, resource) when { context has tenant };`).context,
    ).toEqual(['arguments.amount?', 'tenant?']);
  });

  it('falls back to every attribute when a policy reaches one another way', () => {
    expect(readsOf('permit(principal, action, resource) when { context == {} };')).toMatchObject({
      context: 'all',
    });
    expect(
      readsOf(
        'permit(principal, action, resource) when { (if context has a then principal else resource).risk == "high" };',
      ),
    ).toEqual({ principal: 'all', resource: 'all', context: ['a?'] });
    expect(
      readsOf(
        'permit(principal, action, resource) when { {p: principal}.p.scopes.contains("x") };',
      ),
    ).toMatchObject({ principal: 'all', resource: 'all' });
    expect(
      readsOf('permit(principal, action, resource) when { Rampart::Tool::"t".readOnly };'),
    ).toMatchObject({ principal: 'all', resource: 'all' });
    // A record literal whose key looks like a node of Cedar's JSON form is still searched.
    expect(
      readsOf('permit(principal, action, resource) when { {Value: context.x}.Value == 1 };'),
    ).toMatchObject({ context: ['x'] });
  });

  it('knows which policies are forbids', () => {
    const set = compilePolicies(cedar, [
      {
        name: 'test',
        text: '@id("p") permit(principal, action, resource);\n@id("f") forbid(principal, action, resource);',
      },
    ]);
    expect([...set.forbids]).toEqual(['f']);
    expect(Object.keys(set.texts)).toEqual(['p', 'f']);
  });
});
