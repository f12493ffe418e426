import { o200kCounter, TOKEN_ENCODING, TOKENIZER_VERSION } from './tokenizer';
import { isTokensError } from './tokens.error';

describe('o200kCounter', () => {
  it('counts with gpt-tokenizer o200k_base', () => {
    const counter = o200kCounter();
    expect(counter.encoding).toBe(TOKEN_ENCODING);
    expect(counter.count('hello world')).toBe(2);
    expect(counter.count('')).toBe(0);
    expect(counter.count('{"name":"search","description":"Search the catalog"}')).toBe(11);
  });

  it('counts a special token in a description as the text it is, never refuses it', () => {
    // gpt-tokenizer throws on `<|endoftext|>` by default; a definition may well contain it.
    const counter = o200kCounter();
    expect(counter.count('a <|endoftext|> b')).toBeGreaterThan(counter.count('a  b'));
  });

  it('names the package and the version to install when gpt-tokenizer is missing', () => {
    jest.isolateModules(() => {
      jest.doMock('gpt-tokenizer/encoding/o200k_base', () => {
        throw Object.assign(new Error("Cannot find module 'gpt-tokenizer/encoding/o200k_base'"), {
          code: 'MODULE_NOT_FOUND',
        });
      });
      // oxlint-disable-next-line typescript/no-require-imports -- a fresh copy, with the mock
      const fresh = require('./tokenizer') as typeof import('./tokenizer');
      let thrown: unknown;
      try {
        fresh.o200kCounter();
      } catch (error) {
        thrown = error;
      }
      expect(isTokensError(thrown)).toBe(true);
      expect((thrown as Error).message).toBe(
        `rampart-tokens counts with the "gpt-tokenizer" package, which is not installed: run \`npm install --save-dev --save-exact gpt-tokenizer@${TOKENIZER_VERSION}\``,
      );
    });
    jest.dontMock('gpt-tokenizer/encoding/o200k_base');
  });
});
