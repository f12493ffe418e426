import { loadPackage } from '../state/redis-client';
import { TOKENS_TOKENIZER_MISSING } from './tokens-messages.constant';
import { TokensError } from './tokens.error';

/** The encoding of the reference count: gpt-tokenizer's `o200k_base`. */
export const TOKEN_ENCODING = 'o200k_base';

/** The gpt-tokenizer version the counts are pinned to (the optional peer dependency). */
export const TOKENIZER_VERSION = '4.0.0';

/** Counts the tokens of a text in one encoding. */
export interface TokenCounter {
  /** The encoding's name, e.g. `o200k_base`. */
  readonly encoding: string;
  /** The number of tokens of `text`. */
  count(text: string): number;
}

interface GptTokenizerEncoding {
  countTokens(text: string, options?: { disallowedSpecial?: Set<string> }): number;
}

/** Special tokens are counted as the plain text they are in a definition, never refused. */
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

let counter: TokenCounter | undefined;

/**
 * The reference counter: gpt-tokenizer's `o200k_base`, loaded on first use (gpt-tokenizer is an
 * optional peer dependency of `@rampart/core`). Throws a {@link TokensError} naming the package
 * to install when it is missing.
 *
 * @example
 * ```ts
 * const tokens = o200kCounter().count(JSON.stringify(tool.definition));
 * ```
 */
export function o200kCounter(): TokenCounter {
  if (counter) return counter;
  let encoding: GptTokenizerEncoding;
  try {
    encoding = loadPackage<GptTokenizerEncoding>(
      'gpt-tokenizer/encoding/o200k_base',
      'rampart-tokens',
    );
  } catch (error) {
    const cause = (error as Error).cause as NodeJS.ErrnoException | undefined;
    if (cause?.code === 'MODULE_NOT_FOUND')
      throw new TokensError(TOKENS_TOKENIZER_MISSING(TOKENIZER_VERSION), { cause });
    throw error;
  }
  counter = {
    encoding: TOKEN_ENCODING,
    count: (text) => encoding.countTokens(text, PLAIN_TEXT),
  };
  return counter;
}
