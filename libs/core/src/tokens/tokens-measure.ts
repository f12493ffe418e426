import type { McpServerHost } from '../mcp-server.host';
import type { TokenCounter } from './tokenizer';
import type {
  DefinitionTokens,
  KindTokens,
  ServerTokens,
  TokenPrimitiveKind,
} from './tokens.interfaces';

/** A definition as a list sends it. */
export interface ListedDefinition {
  kind: TokenPrimitiveKind;
  name: string;
  /** The JSON object the client receives in the list's result. */
  definition: Record<string, unknown>;
}

/** Each kind: the list method, the result's field, and what names a definition. */
const KINDS: readonly {
  kind: TokenPrimitiveKind;
  method: 'tools/list' | 'resources/list' | 'resources/templates/list' | 'prompts/list';
  field: string;
  key: string;
}[] = [
  { kind: 'tool', method: 'tools/list', field: 'tools', key: 'name' },
  { kind: 'resource', method: 'resources/list', field: 'resources', key: 'uri' },
  {
    kind: 'resourceTemplate',
    method: 'resources/templates/list',
    field: 'resourceTemplates',
    key: 'uriTemplate',
  },
  { kind: 'prompt', method: 'prompts/list', field: 'prompts', key: 'name' },
];

/** The order of kinds in reports. */
export const TOKEN_KINDS: readonly TokenPrimitiveKind[] = KINDS.map((k) => k.kind);

/** The most pages read from one list, against a cursor that never ends. */
const MAX_PAGES = 10_000;

/**
 * Every definition a server lists, as its dispatcher answers `tools/list`,
 * `resources/list`, `resources/templates/list` and `prompts/list` (2026-07-28, every page, no
 * caller's view: all that a caller allowed to see everything receives).
 *
 * @example
 * ```ts
 * const tools = listedDefinitions(servers.get('web-scrape')).filter((d) => d.kind === 'tool');
 * ```
 */
export function listedDefinitions(host: McpServerHost): ListedDefinition[] {
  const listed: ListedDefinition[] = [];
  for (const { kind, method, field, key } of KINDS) {
    let cursor: string | undefined;
    for (let page = 0; page < MAX_PAGES; page++) {
      const result = host.dispatcher.list(method, cursor);
      const entries = (result[field] ?? []) as Record<string, unknown>[];
      for (const definition of entries)
        listed.push({ kind, name: String(definition[key] ?? definition.name), definition });
      cursor = typeof result.nextCursor === 'string' ? result.nextCursor : undefined;
      if (cursor === undefined) break;
    }
  }
  return listed;
}

/**
 * What a server's definitions cost: each definition's JSON (compact, as the wire carries it)
 * counted by `counter`, per definition, per kind and in total.
 *
 * @example
 * ```ts
 * const { total } = measureDefinitions('web-scrape', listedDefinitions(host), o200kCounter());
 * ```
 */
export function measureDefinitions(
  server: string,
  listed: readonly ListedDefinition[],
  counter: TokenCounter,
): ServerTokens {
  const kinds = Object.fromEntries(
    TOKEN_KINDS.map((kind) => [kind, { count: 0, tokens: 0 }]),
  ) as Record<TokenPrimitiveKind, KindTokens>;
  const definitions: DefinitionTokens[] = listed.map(({ kind, name, definition }) => ({
    kind,
    name,
    tokens: counter.count(JSON.stringify(definition)),
  }));
  let total = 0;
  for (const { kind, tokens } of definitions) {
    kinds[kind].count++;
    kinds[kind].tokens += tokens;
    total += tokens;
  }
  definitions.sort(
    (a, b) =>
      b.tokens - a.tokens ||
      TOKEN_KINDS.indexOf(a.kind) - TOKEN_KINDS.indexOf(b.kind) ||
      (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
  );
  return { server, total, kinds, definitions };
}
