const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  AMP: '&',
  lt: '<',
  LT: '<',
  gt: '>',
  GT: '>',
  quot: '"',
  QUOT: '"',
  apos: "'",
  nbsp: '\u00a0',
  copy: '©',
  reg: '®',
  hellip: '…',
  mdash: '—',
  ndash: '–',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
};

/** Elements whose content is never text shown to a reader; skipped up to their end tag. */
const HIDDEN = new Set(['script', 'style', 'noscript', 'template', 'svg', 'iframe', 'object']);
/** Tags that do not break a word: `<b>he</b>llo` reads "hello". */
const INLINE = new Set([
  'a',
  'abbr',
  'b',
  'bdi',
  'bdo',
  'code',
  'em',
  'i',
  'kbd',
  'mark',
  'q',
  's',
  'small',
  'span',
  'strong',
  'sub',
  'sup',
  'u',
  'var',
  'wbr',
]);
const TAG_NAME = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)/y;

/**
 * Decodes character references in one pass, so `&amp;lt;` reads `&lt;` (not `<`). Unknown named
 * references are left as they are.
 *
 * @example
 * decodeEntities('Fish &amp; chips &#8212; &#x1F41F;'); // 'Fish & chips — 🐟'
 */
export function decodeEntities(text: string): string {
  return text.replace(/&(#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z]+);/g, (match, ref: string) => {
    if (ref[0] !== '#') return NAMED_ENTITIES[ref] ?? match;
    const code =
      ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff)
      ? String.fromCodePoint(code)
      : '\uFFFD';
  });
}

/**
 * The text a reader sees in an HTML page: drops scripts, styles, comments and tags, decodes
 * character references and collapses white space. A heuristic for feeding pages to a model, not
 * an HTML parser; it runs in linear time whatever the input (no backtracking regex over the page).
 *
 * @example
 * htmlToText('<p>Hello <b>wor</b>ld<script>x()</script></p>'); // 'Hello world'
 */
export function htmlToText(html: string): string {
  const n = html.length;
  let out = '';
  let i = 0;
  while (i < n) {
    const lt = html.indexOf('<', i);
    if (lt < 0) {
      out += html.slice(i);
      break;
    }
    out += html.slice(i, lt);
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      i = end < 0 ? n : end + 3;
      out += ' ';
      continue;
    }
    if (html[lt + 1] === '!' || html[lt + 1] === '?') {
      const end = html.indexOf('>', lt);
      i = end < 0 ? n : end + 1;
      out += ' ';
      continue;
    }
    TAG_NAME.lastIndex = lt;
    const tag = TAG_NAME.exec(html);
    if (!tag) {
      // A lone `<` in text, as in "a < b".
      out += '<';
      i = lt + 1;
      continue;
    }
    const end = tagEnd(html, lt + tag[0].length);
    if (end < 0) break; // an unterminated tag at the end of the page
    const name = tag[2].toLowerCase();
    i = end + 1;
    if (!tag[1] && HIDDEN.has(name)) {
      const close = new RegExp(`</${name}\\s*>`, 'gi');
      close.lastIndex = i;
      const found = close.exec(html);
      i = found ? found.index + found[0].length : n;
      out += ' ';
      continue;
    }
    out += INLINE.has(name) ? '' : ' ';
  }
  return decodeEntities(out).replace(/\s+/g, ' ').trim();
}

/** Index of the `>` closing a tag whose attributes start at `from` (a quoted value may hold `>`), or -1. */
function tagEnd(html: string, from: number): number {
  let quote = '';
  let afterEquals = false;
  for (let j = from; j < html.length; j++) {
    const c = html[j];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '>') {
      return j;
    } else if ((c === '"' || c === "'") && afterEquals) {
      quote = c;
    } else if (c === '=') {
      afterEquals = true;
      continue;
    }
    if (c !== ' ' && c !== '\t' && c !== '\n' && c !== '\r') afterEquals = false;
  }
  return -1;
}
