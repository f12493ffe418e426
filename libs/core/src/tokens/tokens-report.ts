import { TOKEN_KINDS } from './tokens-measure';
import type { ServerTokens, TokenPrimitiveKind } from './tokens.interfaces';

const KIND_LABEL: Record<TokenPrimitiveKind, [one: string, many: string]> = {
  tool: ['tool', 'tools'],
  resource: ['resource', 'resources'],
  resourceTemplate: ['resource template', 'resource templates'],
  prompt: ['prompt', 'prompts'],
};

/** Columns padded to their widest cell; `right` marks the columns aligned right (numbers). */
function table(rows: string[][], right: readonly number[]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) =>
    `  ${row
      .map((cell, i) => (right.includes(i) ? cell.padStart(widths[i]) : cell.padEnd(widths[i])))
      .join('  ')}`.trimEnd(),
  );
}

const percent = (part: number, whole: number): string =>
  whole > 0 ? `${Math.round((part / whole) * 100)}%` : part > 0 ? 'over' : '0%';

/**
 * One server's report as text lines: a heading with the total (and the budget when there is
 * one), a table of every definition, the most expensive first, and a table per kind with the
 * total.
 *
 * @example
 * ```ts
 * for (const line of serverTokenLines(server, 1500)) console.log(line);
 * ```
 */
export function serverTokenLines(server: ServerTokens, budget?: number): string[] {
  const heading = `${server.server}: ${server.total} tokens${budget === undefined ? '' : ` of a budget of ${budget} (${percent(server.total, budget)})`}`;
  const definitions = server.definitions.length
    ? table(
        [
          ['tokens', 'kind', 'name'],
          ...server.definitions.map((d) => [String(d.tokens), KIND_LABEL[d.kind][0], d.name]),
        ],
        [0],
      )
    : ['  (no definitions)'];
  const kinds = table(
    [
      ['tokens', 'count', 'primitive'],
      ...TOKEN_KINDS.map((kind) => {
        const { count, tokens } = server.kinds[kind];
        return [String(tokens), String(count), KIND_LABEL[kind][1]];
      }),
      [String(server.total), String(server.definitions.length), 'total'],
    ],
    [0, 1],
  );
  return [heading, ...definitions, '', ...kinds];
}
