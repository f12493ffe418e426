import { McpRegistry } from './mcp-registry';
import type { ToolEntry } from './registry.interfaces';

const tool = (name: string, source = `T.${name}`): ToolEntry => ({
  name,
  source,
  handler: { kind: 'dynamic', options: { name } },
  definition: { name, inputSchema: { type: 'object' } },
  invoke: async () => name,
});

describe('McpRegistry', () => {
  it('lists tools in code-point order whatever the order they were added in', () => {
    const r = new McpRegistry('s');
    for (const n of ['zeta', 'Alpha', 'beta', 'alpha']) r.addTool(tool(n));
    expect(r.tools.list().map((t) => t.name)).toEqual(['Alpha', 'alpha', 'beta', 'zeta']);
  });

  it('refuses a duplicate name, naming both declarations and the server', () => {
    const r = new McpRegistry('web');
    r.addTool(tool('scrape', 'A.scrape'));
    expect(() => r.addTool(tool('scrape', 'B.fetch'))).toThrow(
      'Duplicate tool "scrape" on server "web": declared by A.scrape and by B.fetch.',
    );
  });

  it('reports changes to listeners, bumps its revision, and keeps notifying when one listener throws', () => {
    const r = new McpRegistry('s');
    const seen: string[] = [];
    r.onChange(() => {
      throw new Error('closed session');
    });
    const off = r.onChange((c) => seen.push(c));
    const before = r.revision;
    r.addTool(tool('a'));
    r.addPrompt({
      name: 'p',
      definition: { name: 'p' },
      source: 'P.p',
      handler: { kind: 'dynamic', options: { name: 'p' } },
      invoke: async () => '',
    });
    expect(r.removeTool('a')).toBe(true);
    expect(r.removeTool('a')).toBe(false);
    off();
    r.addTool(tool('b'));
    expect(seen).toEqual(['tools', 'prompts', 'tools']);
    expect(r.revision).toBe(before + 4);
  });

  it('recomputes the sorted listing only after a change', () => {
    const r = new McpRegistry('s');
    r.addTool(tool('a'));
    const first = r.tools.list();
    expect(r.tools.list()).toBe(first);
    r.addTool(tool('b'));
    expect(r.tools.list()).not.toBe(first);
  });

  it('finds completions by kind, target and argument', () => {
    const r = new McpRegistry('s');
    const invoke = async () => [];
    const handler = { kind: 'method' as const, type: class C {}, method: invoke, key: 's' };
    r.addCompletion({
      kind: 'prompt',
      target: 'p',
      argument: 'style',
      source: 'C.s',
      handler,
      invoke,
    });
    expect(r.completion('prompt', 'p', 'style')?.source).toBe('C.s');
    expect(r.completion('prompt', 'p', 'other')).toBeUndefined();
    expect(r.completion('resourceTemplate', 'p', 'style')).toBeUndefined();
  });
});
