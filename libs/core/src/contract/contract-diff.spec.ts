import { diffContracts, versionOf } from './contract-diff';
import type {
  ContractChange,
  McpContract,
  PromptContract,
  ResourceContract,
  ServerContract,
  ToolContract,
} from './contract.interfaces';

const search = (extra: Partial<ToolContract> = {}): ToolContract => ({
  description: 'Search the catalog',
  inputSchema: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] },
  ...extra,
});
/** `search`'s breaking successor: `q` renamed `query`. */
const searchQuery = (extra: Partial<ToolContract> = {}): ToolContract => ({
  description: 'Search the catalog',
  inputSchema: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] },
  ...extra,
});

const server = (parts: Partial<ServerContract> = {}): ServerContract => ({
  tools: {},
  resources: {},
  resourceTemplates: {},
  prompts: {},
  ...parts,
});
const contract = (parts: Partial<ServerContract> = {}, name = 'shop'): McpContract => ({
  rampartContract: 1,
  servers: { [name]: server(parts) },
});
const tools = (t: Record<string, ToolContract>) => contract({ tools: t });

/** The changes as `SEVERITY subject name: message [accepted]`, for exact comparisons. */
const lines = (changes: ContractChange[]): string[] =>
  changes.map(
    (c) =>
      `${c.severity === 'breaking' ? (c.accepted ? 'ACCEPTED' : 'BREAKING') : 'COMPATIBLE'} ${c.subject} ${c.name}: ${c.message}`,
  );

describe('diffContracts', () => {
  it('finds nothing between equal contracts', () => {
    expect(diffContracts(tools({ search: search() }), tools({ search: search() }))).toEqual([]);
  });

  it('classifies added and removed tools, resources, templates, prompts and servers', () => {
    const resource: ResourceContract = { name: 'readme', mimeType: 'text/plain' };
    const prompt: PromptContract = { arguments: [] };
    const full = contract({
      tools: { search: search() },
      resources: { 'shop://readme': resource },
      resourceTemplates: { 'shop://items/{id}': { name: 'item' } },
      prompts: { summarise: prompt },
    });
    expect(lines(diffContracts(contract(), full))).toEqual([
      'COMPATIBLE tool search: added',
      'COMPATIBLE resource shop://readme: added',
      'COMPATIBLE resourceTemplate shop://items/{id}: added',
      'COMPATIBLE prompt summarise: added',
    ]);
    expect(lines(diffContracts(full, contract()))).toEqual([
      'BREAKING tool search: removed',
      'BREAKING resource shop://readme: removed',
      'BREAKING resourceTemplate shop://items/{id}: removed',
      'BREAKING prompt summarise: removed',
    ]);
    expect(lines(diffContracts(contract({}, 'a'), contract({}, 'b')))).toEqual([
      'BREAKING server a: removed',
      'COMPATIBLE server b: added',
    ]);
  });

  it('counts a renamed tool as one removed and one added', () => {
    expect(lines(diffContracts(tools({ search: search() }), tools({ find: search() })))).toEqual([
      'COMPATIBLE tool find: added',
      'BREAKING tool search: removed',
    ]);
  });

  it("classifies a tool's schema changes, input and output (see schema-diff.spec.ts for each rule)", () => {
    const out = (props: Record<string, unknown>, required: string[]) => ({
      type: 'object',
      properties: props,
      required,
    });
    const before = tools({
      search: search({ outputSchema: out({ hits: { type: 'array' } }, ['hits']) }),
    });
    const after = tools({
      search: search({
        inputSchema: {
          type: 'object',
          properties: { q: { type: 'string' }, limit: { type: 'integer' } },
          required: ['q'],
        },
        outputSchema: out({ hits: { type: 'array' }, total: { type: 'integer' } }, ['hits']),
      }),
    });
    expect(lines(diffContracts(before, after))).toEqual([
      'COMPATIBLE tool search: input property "limit" added (optional)',
      'COMPATIBLE tool search: output property "total" added (optional)',
    ]);
    expect(lines(diffContracts(after, before))).toEqual([
      'BREAKING tool search: input property "limit" removed',
      'BREAKING tool search: output property "total" removed',
    ]);
    expect(lines(diffContracts(before, tools({ search: search() })))).toEqual([
      'BREAKING tool search: output schema removed',
    ]);
    expect(lines(diffContracts(tools({ search: search() }), before))).toEqual([
      'COMPATIBLE tool search: output schema added',
    ]);
  });

  it('counts words, annotations, raised versions and deprecations as compatible', () => {
    const after = tools({
      search: search({
        version: '1.1',
        deprecated: { replacedBy: 'find' },
        title: 'Search',
        description: 'Search the whole catalog',
        annotations: { readOnlyHint: true },
      }),
    });
    expect(lines(diffContracts(tools({ search: search() }), after))).toEqual([
      'COMPATIBLE tool search: version changed from 1 (none declared) to 1.1',
      'COMPATIBLE tool search: deprecated (replaced by find)',
      'COMPATIBLE tool search: title added',
      'COMPATIBLE tool search: description changed',
      'COMPATIBLE tool search: annotation readOnlyHint changed from unset to true',
    ]);
    expect(lines(diffContracts(after, tools({ search: search({ version: '1.1' }) })))).toEqual([
      'COMPATIBLE tool search: no longer deprecated',
      'COMPATIBLE tool search: title removed',
      'COMPATIBLE tool search: description changed',
      'COMPATIBLE tool search: annotation readOnlyHint changed from true to unset',
    ]);
  });

  it('counts a lowered version as breaking, never accepted', () => {
    const changes = diffContracts(
      tools({ search: search({ version: '2' }) }),
      tools({ search: search({ version: '1' }) }),
    );
    expect(lines(changes)).toEqual(['BREAKING tool search: version lowered from 2 to 1']);
  });

  it('classifies resource and template MIME types, and prompt arguments like tool inputs', () => {
    const r = (mimeType?: string): ResourceContract => ({ name: 'readme', mimeType });
    expect(
      lines(
        diffContracts(
          contract({ resources: { 'x://a': r('text/plain') } }),
          contract({ resources: { 'x://a': { ...r('text/markdown'), name: 'read_me' } } }),
        ),
      ),
    ).toEqual([
      'COMPATIBLE resource x://a: name changed from "readme" to "read_me"',
      'BREAKING resource x://a: mimeType changed from "text/plain" to "text/markdown"',
    ]);
    expect(
      lines(
        diffContracts(
          contract({ resourceTemplates: { 'x://{id}': r() } }),
          contract({ resourceTemplates: { 'x://{id}': r('application/json') } }),
        ),
      ),
    ).toEqual([
      'BREAKING resourceTemplate x://{id}: mimeType changed from unset to "application/json"',
    ]);
    const p = (...args: [string, boolean][]): PromptContract => ({
      arguments: args.map(([name, required]) => ({ name, required })),
    });
    const prompts = (prompt: PromptContract) => contract({ prompts: { card: prompt } });
    expect(
      lines(
        diffContracts(
          prompts(p(['name', true], ['tone', false], ['style', false], ['lang', true])),
          prompts(
            p(['name', false], ['tone', true], ['lang', true], ['mood', false], ['to', true]),
          ),
        ),
      ),
    ).toEqual([
      'COMPATIBLE prompt card: argument "name" became optional',
      'BREAKING prompt card: argument "tone" became required',
      'BREAKING prompt card: argument "style" removed',
      'COMPATIBLE prompt card: argument "mood" added (optional)',
      'BREAKING prompt card: argument "to" added (required)',
    ]);
  });

  describe('a breaking change is accepted', () => {
    it('when the version is raised and the old shape is served deprecated at the old version', () => {
      const changes = diffContracts(
        tools({ search: search() }),
        tools({
          search: searchQuery({ version: '2' }),
          search_v1: search({ version: '1', deprecated: { replacedBy: 'search' } }),
        }),
      );
      expect(lines(changes)).toEqual([
        'COMPATIBLE tool search: version changed from 1 (none declared) to 2',
        'ACCEPTED tool search: input property "q" removed',
        'ACCEPTED tool search: input property "query" added (required)',
        'COMPATIBLE tool search_v1: added (version 1, deprecated)',
      ]);
      expect(changes[1].accepted).toBe(
        'version 1 (none declared) → 2; the old shape is served deprecated as tool search_v1',
      );
    });

    it('when a compatible variation of the old shape is served (a new optional input)', () => {
      const kept = search({
        version: '1',
        deprecated: {},
        inputSchema: {
          type: 'object',
          properties: { q: { type: 'string' }, page: { type: 'integer' } },
          required: ['q'],
        },
      });
      const changes = diffContracts(
        tools({ search: search({ version: '1' }) }),
        tools({ search: searchQuery({ version: '2.0' }), legacy_search: kept }),
      );
      expect(changes.filter((c) => c.severity === 'breaking').every((c) => c.accepted)).toBe(true);
    });

    it('when a primitive removed was deprecated in the snapshot', () => {
      const changes = diffContracts(
        tools({ search: searchQuery({ version: '2' }), search_v1: search({ deprecated: {} }) }),
        tools({ search: searchQuery({ version: '2' }) }),
      );
      expect(lines(changes)).toEqual(['ACCEPTED tool search_v1: removed']);
      expect(changes[0].accepted).toBe('it was deprecated in the snapshot');
    });
  });

  describe('a breaking change is refused', () => {
    const refused = (before: McpContract, after: McpContract) =>
      diffContracts(before, after).filter((c) => c.severity === 'breaking' && !c.accepted);

    it('when the version is not raised, even with the old shape served deprecated', () => {
      const changes = refused(
        tools({ search: search() }),
        tools({ search: searchQuery(), search_v1: search({ deprecated: {} }) }),
      );
      expect(changes.map((c) => c.message)).toEqual([
        'input property "q" removed',
        'input property "query" added (required)',
      ]);
      expect(changes[0].note).toBe(
        'raise the major version and keep serving the old shape, deprecated, under another name',
      );
    });

    it('when only the minor version is raised', () => {
      expect(
        refused(
          tools({ search: search({ version: '1.0' }) }),
          tools({
            search: searchQuery({ version: '1.1' }),
            search_v1: search({ version: '1.0', deprecated: {} }),
          }),
        ),
      ).toHaveLength(2);
    });

    it.each([
      ['no tool serves the old shape', {}],
      ['the old shape is served but not deprecated', { search_v1: search({ version: '1' }) }],
      [
        'the deprecated old shape is at another version',
        { search_v1: search({ version: '3', deprecated: {} }) },
      ],
      [
        'the deprecated tool does not serve the old shape',
        {
          search_v1: search({
            version: '1',
            deprecated: {},
            inputSchema: { type: 'object', properties: {} },
          }),
        },
      ],
    ])('when the version is raised but %s', (_, others) => {
      const changes = refused(
        tools({ search: search() }),
        tools({ search: searchQuery({ version: '2' }), ...others }),
      );
      expect(changes.map((c) => c.message)).toEqual([
        'input property "q" removed',
        'input property "query" added (required)',
      ]);
      expect(changes[0].note).toBe(
        'the version was raised, but no deprecated tool at version 1 serves the old shape',
      );
    });

    it('when a primitive removed was not deprecated in the snapshot', () => {
      const [change] = refused(tools({ search: search() }), tools({}));
      expect(change).toEqual({
        severity: 'breaking',
        server: 'shop',
        subject: 'tool',
        name: 'search',
        message: 'removed',
        note: 'deprecate it first, and remove it once a snapshot with the deprecation is committed',
      });
    });
  });

  it('reads a version as MAJOR.MINOR, 1 when none is declared', () => {
    expect(versionOf({})).toEqual({ major: 1, minor: 0 });
    expect(versionOf({ version: '3' })).toEqual({ major: 3, minor: 0 });
    expect(versionOf({ version: '2.7' })).toEqual({ major: 2, minor: 7 });
  });
});
