import { Inject, Injectable, Optional } from '@nestjs/common';
import { loadPackage } from '@rampart/core';
import type sanitizeHtml from 'sanitize-html';
import { SecurityDefinitionError } from '../errors/security-definition.error';
import {
  DEFAULT_ALLOWED_ATTRIBUTES,
  DEFAULT_ALLOWED_SCHEMES,
  DEFAULT_ALLOWED_TAGS,
  DISCARDED_WITH_CONTENT,
  FORBIDDEN_ATTRIBUTES,
  FORBIDDEN_SCHEMES,
  FORBIDDEN_TAGS,
  HTML_SANITIZER_OPTIONS,
} from './html-sanitizer.constants';
import type { HtmlSanitizerOptions } from './html-sanitizer-options.interface';
import {
  FORBIDDEN_ATTRIBUTE,
  FORBIDDEN_SCHEME,
  FORBIDDEN_TAG,
  INVALID_SANITIZER_OPTIONS,
} from './sanitize-messages.constant';

type SanitizeHtml = typeof sanitizeHtml;

/**
 * Cleans HTML from elsewhere (a scraped page, an upstream's answer) before a tool hands it to a
 * model or a client that may render it: sanitize-html with an allowlist, by default the seed
 * documents' (p, br, strong, em, u, a, ul, ol, li, h1–h6, code, pre; `href` and `title` on links;
 * http, https and mailto URLs). Other tags are removed and their text kept, except the text of
 * `script`, `style`, `iframe`, `svg` and the like, which goes with them; other attributes
 * (event handlers, `style`) and URLs of other schemes (`javascript:`, `data:`) are removed.
 *
 * Provided by `SecurityModule` (its `sanitize` option), or as a plain provider (with the
 * `HTML_SANITIZER_OPTIONS` token, or the defaults), or built with `new`. sanitize-html is loaded
 * on the first `sanitize()`.
 *
 * @example
 * ```ts
 * const clean = new HtmlSanitizer().sanitize('<p onclick="x()">Hi<script>alert(1)</script></p>');
 * // '<p>Hi</p>'
 * ```
 */
@Injectable()
export class HtmlSanitizer {
  private readonly config: sanitizeHtml.IOptions;
  private library?: SanitizeHtml;

  /** @throws SecurityDefinitionError on options that cannot work or would let code through. */
  constructor(@Optional() @Inject(HTML_SANITIZER_OPTIONS) options: HtmlSanitizerOptions = {}) {
    const o = options ?? {};
    const problems = htmlSanitizerOptionProblems(o);
    if (problems.length) throw new SecurityDefinitionError(INVALID_SANITIZER_OPTIONS(problems));
    const tags = [...new Set([...(o.allowedTags ?? DEFAULT_ALLOWED_TAGS), ...(o.extraTags ?? [])])];
    const attributes: Record<string, string[]> = {};
    for (const source of [
      o.allowedAttributes ?? DEFAULT_ALLOWED_ATTRIBUTES,
      o.extraAttributes ?? {},
    ])
      for (const [tag, names] of Object.entries(source))
        attributes[tag] = [...new Set([...(attributes[tag] ?? []), ...names])];
    this.config = {
      allowedTags: tags.map((t) => t.toLowerCase()),
      allowedAttributes: attributes,
      allowedSchemes: [...(o.allowedSchemes ?? DEFAULT_ALLOWED_SCHEMES)],
      allowedSchemesByTag: {},
      allowProtocolRelative: true,
      disallowedTagsMode: 'discard',
      nonTextTags: [...DISCARDED_WITH_CONTENT],
      parseStyleAttributes: false,
      allowVulnerableTags: false,
    };
  }

  /**
   * `html` with only what the allowlist keeps.
   *
   * @example
   * ```ts
   * sanitizer.sanitize('<a href="javascript:alert(1)" title="t">x</a>'); // '<a title="t">x</a>'
   * ```
   */
  sanitize(html: string): string {
    this.library ??= loadPackage<SanitizeHtml>('sanitize-html', 'HtmlSanitizer');
    return this.library(String(html ?? ''), this.config);
  }
}

/** The problems of a sanitizer's options, one sentence each (none when they can work). */
export function htmlSanitizerOptionProblems(options: HtmlSanitizerOptions): string[] {
  const problems: string[] = [];
  const names = (value: unknown) =>
    Array.isArray(value) && value.every((v) => typeof v === 'string' && /^[a-z][\w:-]*$/i.test(v));
  for (const key of ['allowedTags', 'extraTags'] as const) {
    const tags = options[key];
    if (tags === undefined) continue;
    if (!names(tags)) {
      problems.push(`"${key}" must be an array of tag names`);
      continue;
    }
    for (const tag of tags)
      if (FORBIDDEN_TAGS.includes(tag.toLowerCase())) problems.push(FORBIDDEN_TAG(key, tag));
  }
  for (const key of ['allowedAttributes', 'extraAttributes'] as const) {
    const map = options[key];
    if (map === undefined) continue;
    if (typeof map !== 'object' || map === null || Array.isArray(map)) {
      problems.push(`"${key}" must map tag names to arrays of attribute names`);
      continue;
    }
    for (const [tag, attributes] of Object.entries(map)) {
      if (!names(attributes)) {
        problems.push(`"${key}.${tag}" must be an array of attribute names`);
        continue;
      }
      for (const attribute of attributes) {
        const a = attribute.toLowerCase();
        if (a.startsWith('on') || FORBIDDEN_ATTRIBUTES.includes(a))
          problems.push(FORBIDDEN_ATTRIBUTE(`${key}.${tag}`, attribute));
      }
    }
  }
  const schemes = options.allowedSchemes;
  if (schemes !== undefined) {
    if (!(Array.isArray(schemes) && schemes.every((s) => /^[a-z][a-z0-9+.-]*$/i.test(s))))
      problems.push('"allowedSchemes" must be an array of URL schemes without ":" (https, mailto)');
    else
      for (const scheme of schemes)
        if (FORBIDDEN_SCHEMES.includes(scheme.toLowerCase()))
          problems.push(FORBIDDEN_SCHEME(scheme));
  }
  return problems;
}
