import { Parser } from 'htmlparser2';

/**
 * The absolute http(s) URL of a link, without its fragment; `undefined` for a link that is not
 * http(s) (`mailto:`, `javascript:`…) or not a URL.
 *
 * @example
 * ```ts
 * linkUrl('../b?x=1#top', 'http://site.test/a/c'); // 'http://site.test/b?x=1'
 * ```
 */
export function linkUrl(href: string, base: string): string | undefined {
  let url: URL;
  try {
    url = new URL(href.trim(), base);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  url.hash = '';
  return url.href;
}

/**
 * The pages an HTML page links to (`<a href>`, `<area href>`), in document order, each once:
 * resolved against the page's URL, or against its first `<base href>`, without fragments; only
 * http(s). Parsed with htmlparser2, so links in comments, scripts and attribute values that
 * merely look like markup are not taken.
 *
 * @example
 * ```ts
 * pageLinks('<a href="/b#x">B</a><a href="mailto:x@y">', 'http://site.test/a'); // ['http://site.test/b']
 * ```
 */
export function pageLinks(html: string, pageUrl: string): string[] {
  let base = pageUrl;
  let baseSeen = false;
  const links = new Set<string>();
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        const href = attributes.href;
        if (href === undefined) return;
        if (name === 'base') {
          const resolved = baseSeen ? undefined : linkUrl(href, pageUrl);
          baseSeen = true;
          if (resolved) base = resolved;
          return;
        }
        if (name !== 'a' && name !== 'area') return;
        const url = linkUrl(href, base);
        if (url) links.add(url);
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
  return [...links];
}
