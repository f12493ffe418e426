import {
  boundArguments,
  checkMaxArgumentsChars,
  CUT_MARK,
  declaredArguments,
} from './bounded-arguments';
import type { McpServers } from '@rampart/core';

const jsonOf = (value: unknown) => JSON.stringify(value);

describe('boundArguments', () => {
  it('returns arguments within the bound as they are', () => {
    const args = { url: 'https://example.com', format: 'text' };
    const bounded = boundArguments(args, 8_192);
    expect(bounded.arguments).toBe(args);
    expect(bounded.truncated).toBeUndefined();
  });

  it("keeps a caller's declared arguments when it sends junk before them", () => {
    // The attack: push the argument that matters out of the audit record by sending thousands
    // of undeclared properties first, in the order JSON keeps.
    const args: Record<string, unknown> = {};
    for (let i = 0; i < 5_000; i++) args[`junk${i}`] = i;
    args.id = 'order-42';
    args.confirm = true;
    const bounded = boundArguments(args, 1_024, () => ['id', 'confirm']);
    expect(Object.keys(bounded.arguments).slice(0, 2)).toEqual(['id', 'confirm']);
    expect(bounded.arguments).toMatchObject({ id: 'order-42', confirm: true, junk0: 0 });
    expect(jsonOf(bounded.arguments).length).toBeLessThanOrEqual(1_024);
    expect(bounded.truncated).toEqual({
      jsonChars: jsonOf(args).length,
      omitted: 5_000 - (Object.keys(bounded.arguments).length - 2),
      cut: 0,
    });
  });

  it('cuts a long string to what fits, escapes counted, and leaves out what does not fit', () => {
    const args = {
      query: '"\n'.repeat(10_000), // each character takes two in JSON
      blob: { data: 'x'.repeat(10_000) },
      note: 'y'.repeat(10_000),
    };
    const bounded = boundArguments(args, 2_000, () => ['query']);
    const query = bounded.arguments.query as string;
    expect(query.endsWith(CUT_MARK)).toBe(true);
    expect(args.query.startsWith(query.slice(0, -CUT_MARK.length))).toBe(true);
    expect(query.length).toBeGreaterThan(500);
    expect(bounded.arguments).not.toHaveProperty('blob');
    expect(jsonOf(bounded.arguments).length).toBeLessThanOrEqual(2_000);
    // The declared string took the room: the object cannot be cut, the other string no longer fits.
    expect(bounded.arguments).not.toHaveProperty('note');
    expect(bounded.truncated).toEqual({ jsonChars: jsonOf(args).length, omitted: 2, cut: 1 });
  });

  it('keeps an own __proto__ key as a key, without touching the prototype', () => {
    const args = JSON.parse(
      `{"__proto__": {"polluted": true}, "pad": "${'p'.repeat(500)}"}`,
    ) as Record<string, unknown>;
    const bounded = boundArguments(args, 256);
    expect(Object.getPrototypeOf(bounded.arguments)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(bounded.arguments, '__proto__')?.value).toEqual({
      polluted: true,
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('declaredArguments', () => {
  const servers = {
    find: (name: string) =>
      name === 'shop'
        ? {
            registry: {
              tools: {
                get: (tool: string) =>
                  tool === 'refund'
                    ? { definition: { inputSchema: { properties: { order: {}, amount: {} } } } }
                    : undefined,
              },
              prompts: {
                get: (prompt: string) =>
                  prompt === 'summary'
                    ? { definition: { arguments: [{ name: 'topic' }] } }
                    : undefined,
              },
            },
          }
        : undefined,
  } as unknown as McpServers;

  it("reads a tool's input properties and a prompt's arguments from the registry", () => {
    const call = { server: 'shop', method: 'tools/call', target: 'refund' };
    expect(declaredArguments(servers, call)).toEqual(['order', 'amount']);
    expect(
      declaredArguments(servers, { ...call, method: 'prompts/get', target: 'summary' }),
    ).toEqual(['topic']);
    expect(declaredArguments(servers, { ...call, target: 'unknown' })).toEqual([]);
    expect(declaredArguments(servers, { ...call, server: 'other' })).toEqual([]);
    expect(declaredArguments(undefined, call)).toEqual([]);
  });
});

describe('checkMaxArgumentsChars', () => {
  it('refuses a bound that is not an integer of at least 256, naming the option', () => {
    expect(() => checkMaxArgumentsChars('AuditOptions', 100)).toThrow(
      'AuditOptions.maxArgumentsChars must be an integer of at least 256; got 100',
    );
    expect(() => checkMaxArgumentsChars('LoggingOptions', 1_000.5)).toThrow(/LoggingOptions/);
    expect(() => checkMaxArgumentsChars('AuditOptions', undefined)).not.toThrow();
    expect(() => checkMaxArgumentsChars('AuditOptions', 256)).not.toThrow();
  });
});
