/** A kind of listed definition. */
export type TokenPrimitiveKind = 'tool' | 'resource' | 'resourceTemplate' | 'prompt';

/** One definition as a list sends it, and what it costs. */
export interface DefinitionTokens {
  kind: TokenPrimitiveKind;
  /** The tool's or prompt's name, the resource's URI, the template's URI template. */
  name: string;
  /** Tokens of the definition's JSON, as the client receives it in the list. */
  tokens: number;
}

/** The definitions of one kind: how many, and their tokens together. */
export interface KindTokens {
  count: number;
  tokens: number;
}

/** What one server's definitions cost. */
export interface ServerTokens {
  server: string;
  /** The sum of the definitions' tokens. */
  total: number;
  /** Per kind, every kind present (zero when the server has none). */
  kinds: Record<TokenPrimitiveKind, KindTokens>;
  /** Every definition, the most expensive first (then by kind and name). */
  definitions: DefinitionTokens[];
}

/** A server's entry in the budget file. */
export interface ServerTokenBudget {
  /** The most tokens the server's definitions may cost. */
  budget: number;
  /** The total measured when `rampart-tokens update` wrote the budget; informative only. */
  measured?: number;
}

/** The budget file (`rampart.tokens.json`). */
export interface TokenBudgets {
  /** The encoding the budgets are counted in; `o200k_base`. */
  encoding?: string;
  servers: Record<string, ServerTokenBudget>;
}
