/**
 * Injection token of the {@link HtmlSanitizerOptions} an `HtmlSanitizer` provided as a plain class
 * is built with; without it, the defaults. `SecurityModule` builds its sanitizer from its own
 * `sanitize` option instead.
 *
 * @example
 * ```ts
 * providers: [HtmlSanitizer, { provide: HTML_SANITIZER_OPTIONS, useValue: { extraTags: ['img'] } }]
 * ```
 */
export const HTML_SANITIZER_OPTIONS = Symbol.for('rampart:html-sanitizer-options');

/** Metadata key of `@SanitizeHtml()`. */
export const SANITIZE_HTML_KEY = 'RAMPART:SANITIZE_HTML';

/** Tags kept by default: the allowlist of the seed documents' `sanitize_html`. */
export const DEFAULT_ALLOWED_TAGS: readonly string[] = [
  'p',
  'br',
  'strong',
  'em',
  'u',
  'a',
  'ul',
  'ol',
  'li',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'code',
  'pre',
];

/**
 * Attributes kept by default, by tag: the seed documents' (`img` is not among the default tags,
 * so its attributes apply once `extraTags` adds it).
 */
export const DEFAULT_ALLOWED_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  a: ['href', 'title'],
  img: ['src', 'alt'],
};

/** URL schemes kept by default (bleach's, which the seed documents use). */
export const DEFAULT_ALLOWED_SCHEMES: readonly string[] = ['http', 'https', 'mailto'];

/** Tags that can never be allowed: they run code, load documents, or hide markup from parsers. */
export const FORBIDDEN_TAGS: readonly string[] = [
  'script',
  'style',
  'iframe',
  'frame',
  'frameset',
  'object',
  'embed',
  'applet',
  'base',
  'link',
  'meta',
  'form',
  'input',
  'button',
  'textarea',
  'select',
  'option',
  'svg',
  'math',
  'template',
  'noscript',
  'xmp',
  'plaintext',
  'noembed',
  'noframes',
];

/** Attributes that can never be allowed (with every `on*` event handler). */
export const FORBIDDEN_ATTRIBUTES: readonly string[] = [
  'style',
  'srcdoc',
  'formaction',
  'action',
  'xlink:href',
];

/** Schemes that can never be allowed. */
export const FORBIDDEN_SCHEMES: readonly string[] = ['javascript', 'vbscript', 'data'];

/** Tags removed with their text (not only the tag): their text is code or not shown. */
export const DISCARDED_WITH_CONTENT: readonly string[] = [
  'script',
  'style',
  'textarea',
  'option',
  'xmp',
  'noscript',
  'noembed',
  'noframes',
  'template',
  'iframe',
  'object',
  'svg',
  'math',
  'title',
];
