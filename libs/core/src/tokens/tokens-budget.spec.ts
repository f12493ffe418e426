import { budgetWithHeadroom, parseTokenBudgets, serializeTokenBudgets } from './tokens-budget';

describe('the budget file', () => {
  const problem = (text: string) => {
    try {
      parseTokenBudgets(text, 'rampart.tokens.json');
      return 'parsed';
    } catch (error) {
      return `${(error as Error).name}: ${(error as Error).message}`;
    }
  };
  const INVALID = 'TokensError: rampart.tokens.json is not a rampart-tokens budget file:';
  const EXPECTED = '. Expected { "servers": { "<server>": { "budget": <tokens> } } }';

  it('reads budgets per server, and the measured total when there is one', () => {
    expect(
      parseTokenBudgets(
        '{ "servers": { "a": { "budget": 100 }, "b": { "budget": 0, "measured": 0 } } }',
        'f',
      ),
    ).toEqual({
      encoding: 'o200k_base',
      servers: { a: { budget: 100 }, b: { budget: 0, measured: 0 } },
    });
  });

  it('refuses what is not a budget file, saying what is wrong', () => {
    expect(problem('[]')).toBe(`${INVALID} it is not a JSON object${EXPECTED}`);
    expect(problem('{}')).toBe(
      `${INVALID} "servers" must be an object of servers by name${EXPECTED}`,
    );
    expect(problem('{ "servers": { "a": 5 } }')).toBe(
      `${INVALID} servers.a.budget must be a whole number of tokens, got 5${EXPECTED}`,
    );
    expect(problem('{ "servers": { "a": { "budget": -1 } } }')).toBe(
      `${INVALID} servers.a.budget must be a whole number of tokens, got -1${EXPECTED}`,
    );
    expect(problem('{ "servers": { "a": { "budget": 1.5 } } }')).toBe(
      `${INVALID} servers.a.budget must be a whole number of tokens, got 1.5${EXPECTED}`,
    );
    expect(problem('{ "servers": { "a": { "budget": 10, "measured": "x" } } }')).toBe(
      `${INVALID} servers.a.measured must be a whole number of tokens, got "x"${EXPECTED}`,
    );
    expect(problem('{ "encoding": "cl100k_base", "servers": {} }')).toBe(
      `${INVALID} "encoding" is "cl100k_base"; rampart-tokens counts in o200k_base${EXPECTED}`,
    );
  });

  it('writes what it reads, and budgets with headroom rounded up to a whole token', () => {
    const budgets = { encoding: 'o200k_base', servers: { a: { budget: 121, measured: 100 } } };
    expect(parseTokenBudgets(serializeTokenBudgets(budgets), 'f')).toEqual(budgets);
    expect(serializeTokenBudgets(budgets).endsWith('}\n')).toBe(true);
    expect(budgetWithHeadroom(100, 20)).toBe(120);
    expect(budgetWithHeadroom(706, 20)).toBe(848);
    expect(budgetWithHeadroom(7, 0)).toBe(7);
    expect(budgetWithHeadroom(0, 20)).toBe(0);
  });
});
