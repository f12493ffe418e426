/**
 * What `HtmlSanitizer` keeps (`SecurityModule.forRoot({ sanitize })`, the
 * `HTML_SANITIZER_OPTIONS` provider, or `new HtmlSanitizer(options)`). Everything else is removed:
 * other tags (their text kept, except the text of `script`, `style` and the like), other
 * attributes, and URLs of other schemes.
 *
 * Some things can never be allowed, and asking for them fails at boot: tags that run code or load
 * documents (`script`, `style`, `iframe`, `object`, `embed`, `svg`, `math`, `form`, `base`,
 * `meta`, `link`…), event handler attributes (`on*`), `style`, `srcdoc`, and the `javascript:`,
 * `vbscript:` and `data:` schemes.
 *
 * @example
 * ```ts
 * const options: HtmlSanitizerOptions = {
 *   extraTags: ['img', 'blockquote', 'table', 'tr', 'td', 'th'],
 *   extraAttributes: { td: ['colspan'], th: ['colspan'] },
 * };
 * ```
 */
export interface HtmlSanitizerOptions {
  /**
   * Tags kept; replaces the default list.
   * @default DEFAULT_ALLOWED_TAGS: p, br, strong, em, u, a, ul, ol, li, h1–h6, code, pre
   */
  allowedTags?: readonly string[];
  /**
   * Tags kept in addition to `allowedTags` (or its default).
   * @default []
   */
  extraTags?: readonly string[];
  /**
   * Attributes kept, by tag (`'*'` for every tag); replaces the default.
   * @default DEFAULT_ALLOWED_ATTRIBUTES: a: href, title; img: src, alt
   */
  allowedAttributes?: Readonly<Record<string, readonly string[]>>;
  /**
   * Attributes kept in addition to `allowedAttributes` (or its default), by tag.
   * @default {}
   */
  extraAttributes?: Readonly<Record<string, readonly string[]>>;
  /**
   * URL schemes kept in `href`, `src` and the other URL attributes; relative URLs are kept too.
   * @default DEFAULT_ALLOWED_SCHEMES: http, https, mailto
   */
  allowedSchemes?: readonly string[];
}

/** Options of `@SanitizeHtml()`. */
export interface SanitizeHtmlOptions {
  /**
   * For a method that returns a plain object: the top-level string properties to sanitize (the
   * others are left as they are). A string result, the text blocks of a tool result
   * (`{ content: [...] }`), the texts of a resource result (`{ contents: [...] }`) and a
   * resource's `{ text }` are sanitized without it.
   * @default []
   */
  fields?: readonly string[];
}
