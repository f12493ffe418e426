/**
 * What {@link Redactor} hides. Compiled once, when the redactor is built.
 *
 * @example
 * ```ts
 * const options: RedactionOptions = { paths: ['card.number', 'users.*.ssn'], censor: '***' };
 * ```
 */
export interface RedactionOptions {
  /**
   * Dot paths of values to hide, from the root of the redacted value; `*` matches any one key
   * or array index (`users.*.ssn`).
   * @default []
   */
  paths?: string[];
  /**
   * Keys whose values are hidden wherever they appear, at any depth.
   * @default [/pass(word)?|secret|token|api[-_]?key|authorization|cookie|credential/i]
   */
  keyPatterns?: RegExp[];
  /**
   * Patterns hidden inside any string value (the match is replaced, the rest kept).
   * @default emails, `Bearer …` tokens and JWTs
   */
  valuePatterns?: RegExp[];
  /**
   * What replaces a hidden value.
   * @default '[REDACTED]'
   */
  censor?: string;
}
