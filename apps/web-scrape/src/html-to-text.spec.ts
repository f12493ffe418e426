import { decodeEntities, htmlToText } from './html-to-text';

describe('htmlToText', () => {
  it('keeps the text and drops tags, comments, doctype, scripts, styles and noscript', () => {
    const html = `<!doctype html><html><head><title>T</title><style>p{}</style><script>alert(1)</script></head>
      <body><!-- hidden --><p>One</p><noscript>no js</noscript><div>Two</div><SCRIPT type="x">y()</SCRIPT ></body></html>`;
    expect(htmlToText(html)).toBe('T One Two');
  });

  it('does not break words at inline tags, and separates blocks', () => {
    expect(htmlToText('<p>Hel<b>lo</b> <a href="/x">wor</a>ld</p><p>next</p>')).toBe(
      'Hello world next',
    );
  });

  it('reads a quoted attribute value holding ">" as part of the tag', () => {
    expect(htmlToText('<a title="a > b" data-x=\'c > d\'>link</a>')).toBe('link');
  });

  it('keeps a lone "<" of the text', () => {
    expect(htmlToText('<p>1 < 2 and 3 > 2</p>')).toBe('1 < 2 and 3 > 2');
  });

  it('decodes character references once: escaped markup stays text', () => {
    expect(htmlToText('<p>&amp;lt;script&amp;gt; &lt;b&gt;</p>')).toBe('&lt;script&gt; <b>');
  });

  it('drops an unterminated tag at the end of the page', () => {
    expect(htmlToText('<p>text</p><a href="x')).toBe('text');
  });

  it('finishes on adversarial input (no backtracking over the page)', () => {
    expect(htmlToText('<a'.repeat(100_000))).toBe('');
    expect(htmlToText('<a x="'.repeat(50_000))).toBe('');
    expect(htmlToText('<!--'.repeat(100_000))).toBe('');
  });
});

describe('decodeEntities', () => {
  it('decodes named, decimal and hex references and leaves unknown names alone', () => {
    expect(decodeEntities('Fish &amp; chips &#8212; &#x1F41F; &nbsp;&bogus;')).toBe(
      'Fish & chips — 🐟 \u00a0&bogus;',
    );
  });

  it('replaces references to invalid code points', () => {
    expect(decodeEntities('&#xD800;&#0;&#x110000;')).toBe('\uFFFD\uFFFD\uFFFD');
  });
});
