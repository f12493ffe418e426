import {
  type CedarSelection,
  CedarValueLimitError,
  MAX_CEDAR_VALUE_DEPTH,
  MAX_CEDAR_VALUES,
  toCedarRecord,
} from './cedar-value';

const plain = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

describe('toCedarRecord', () => {
  it('keeps strings, booleans and safe integers, and turns other numbers into strings', () => {
    const out = toCedarRecord({
      s: 'text',
      t: true,
      n: 42,
      negative: -7,
      fraction: 100.5,
      huge: 1e300,
      unsafe: 2 ** 60,
      nan: Number.NaN,
      infinite: -Infinity,
      small: 12n,
      big: 2n ** 70n,
    });
    expect(plain(out)).toEqual({
      s: 'text',
      t: true,
      n: 42,
      negative: -7,
      fraction: '100.5',
      huge: '1e+300',
      unsafe: String(2 ** 60),
      nan: 'NaN',
      infinite: '-Infinity',
      small: 12,
      big: String(2n ** 70n),
    });
  });

  it('leaves out nulls, undefined, functions, symbols and opaque objects, in records and sets', () => {
    const out = toCedarRecord({
      a: null,
      b: undefined,
      c: () => 1,
      d: Symbol('x'),
      e: new Map([['k', 1]]),
      f: Buffer.from('bytes'),
      list: [1, null, 'x', undefined],
      nested: { keep: 1, drop: null },
    });
    expect(plain(out)).toEqual({ list: [1, 'x'], nested: { keep: 1 } });
  });

  it('turns arrays and Sets into sets, objects (DTO instances too) into records, dates into ISO strings', () => {
    class Dto {
      amount = 5;
      to = 'bob';
    }
    const out = toCedarRecord({
      list: [1, [2, [3]], { x: 'y' }],
      set: new Set(['a', 'b']),
      dto: new Dto(),
      when: new Date('2026-01-02T03:04:05.000Z'),
      invalid: new Date(Number.NaN),
    });
    expect(plain(out)).toEqual({
      list: [1, [2, [3]], { x: 'y' }],
      set: ['a', 'b'],
      dto: { amount: 5, to: 'bob' },
      when: '2026-01-02T03:04:05.000Z',
    });
  });

  it("leaves out Cedar's JSON escapes, so that arguments cannot forge an entity or an extension value", () => {
    const out = toCedarRecord({
      owner: { __entity: { type: 'Rampart::Role', id: 'admin' } },
      limit: { __extn: { fn: 'decimal', arg: 'not a number' }, other: 1 },
      old: { __expr: 'true' },
    });
    expect(plain(out)).toEqual({ owner: {}, limit: { other: 1 }, old: {} });
  });

  it('keeps __proto__ and constructor as ordinary keys and pollutes no prototype', () => {
    const input = JSON.parse(
      '{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}',
    ) as Record<string, unknown>;
    const out = toCedarRecord({ arguments: input });
    const args = out.arguments as Record<string, unknown>;
    expect(Object.keys(args).sort()).toEqual(['__proto__', 'constructor']);
    expect(JSON.stringify(out)).toBe(
      '{"arguments":{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}}',
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // `__proto__` is an own key; the record's prototype was not replaced by its value.
    expect(Object.getOwnPropertyDescriptor(args, '__proto__')?.value).toEqual({ polluted: true });
    expect(Object.getPrototypeOf(args)).toBe(Object.prototype);
    expect(args.polluted).toBeUndefined();
  });

  it('replaces lone surrogates, which Cedar cannot take, in values and keys', () => {
    const out = toCedarRecord({ s: 'a\ud800b', ['k\udc00']: 1 });
    expect(out).toEqual({ s: 'a\ufffdb', 'k\ufffd': 1 });
  });

  it('converts only what the selection names, and what it names whole', () => {
    const select = new Map<string, CedarSelection>([
      ['tenant', true],
      ['now', true],
      [
        'arguments',
        new Map<string, CedarSelection>([
          ['amount', true],
          ['to', new Map()],
        ]),
      ],
    ]);
    const context = {
      tenant: 'acme',
      environment: 'production',
      arguments: { amount: 5, to: 'bob', memo: 'rent', huge: Array.from({ length: 20_000 }) },
    };
    expect(plain(toCedarRecord(context, select))).toEqual({
      tenant: 'acme',
      arguments: { amount: 5, to: 'bob' },
    });
    // A selected key whose value is not a record is converted whole.
    expect(plain(toCedarRecord({ arguments: [1, { a: 2 }] }, select))).toEqual({
      arguments: [1, { a: 2 }],
    });
    expect(plain(toCedarRecord({ a: 1, b: { c: 2 } }, true))).toEqual({ a: 1, b: { c: 2 } });
  });

  it('refuses values that nest too deep, hold too many values or are cyclic', () => {
    let deep: unknown = 1;
    for (let i = 0; i <= MAX_CEDAR_VALUE_DEPTH; i++) deep = { d: deep };
    expect(() => toCedarRecord({ deep })).toThrow(CedarValueLimitError);
    let fits: unknown = 1;
    for (let i = 0; i < MAX_CEDAR_VALUE_DEPTH; i++) fits = { d: fits };
    expect(() => toCedarRecord({ fits })).not.toThrow();

    expect(() =>
      toCedarRecord({ many: Array.from({ length: MAX_CEDAR_VALUES }, () => 1) }),
    ).toThrow(CedarValueLimitError);

    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(() => toCedarRecord({ cyclic })).toThrow(CedarValueLimitError);
    // The same object twice, side by side, is not a cycle.
    const shared = { x: 1 };
    expect(plain(toCedarRecord({ pair: [shared, shared] }))).toEqual({
      pair: [{ x: 1 }, { x: 1 }],
    });
  });
});
