import { TOKENS_FILE_INVALID } from './tokens-messages.constant';
import { TokensError } from './tokens.error';
import type { ServerTokenBudget, TokenBudgets } from './tokens.interfaces';
import { TOKEN_ENCODING } from './tokenizer';

const isObject = (value: unknown): value is Record<string, unknown> =>
  !!value && typeof value === 'object' && !Array.isArray(value);

const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/**
 * Reads a budget file's text, or throws a {@link TokensError} saying what is wrong with it
 * (`shown` names the file in the message).
 *
 * @example
 * ```ts
 * parseTokenBudgets('{ "servers": { "web-scrape": { "budget": 1500 } } }', 'rampart.tokens.json');
 * ```
 */
export function parseTokenBudgets(text: string, shown: string): TokenBudgets {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new TokensError(TOKENS_FILE_INVALID(shown, `invalid JSON (${(error as Error).message})`));
  }
  const invalid = (problem: string) => new TokensError(TOKENS_FILE_INVALID(shown, problem));
  if (!isObject(value)) throw invalid('it is not a JSON object');
  if (value.encoding !== undefined && value.encoding !== TOKEN_ENCODING)
    throw invalid(
      `"encoding" is ${JSON.stringify(value.encoding)}; rampart-tokens counts in ${TOKEN_ENCODING}`,
    );
  if (!isObject(value.servers)) throw invalid('"servers" must be an object of servers by name');
  const servers: Record<string, ServerTokenBudget> = {};
  for (const [name, entry] of Object.entries(value.servers)) {
    if (!isObject(entry) || !isCount(entry.budget))
      throw invalid(
        `servers.${name}.budget must be a whole number of tokens, got ${JSON.stringify(isObject(entry) ? entry.budget : entry)}`,
      );
    if (entry.measured !== undefined && !isCount(entry.measured))
      throw invalid(
        `servers.${name}.measured must be a whole number of tokens, got ${JSON.stringify(entry.measured)}`,
      );
    servers[name] = {
      budget: entry.budget,
      ...(entry.measured !== undefined && { measured: entry.measured }),
    };
  }
  return { encoding: TOKEN_ENCODING, servers };
}

/** The budget with `headroomPercent` above `measured`, rounded up to a whole token. */
export const budgetWithHeadroom = (measured: number, headroomPercent: number): number =>
  Math.ceil((measured * (100 + headroomPercent)) / 100);

/** The text of a budget file: two-space JSON, servers in the order given, a final newline. */
export const serializeTokenBudgets = (budgets: TokenBudgets): string =>
  `${JSON.stringify({ encoding: budgets.encoding ?? TOKEN_ENCODING, servers: budgets.servers }, null, 2)}\n`;
