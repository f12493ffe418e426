import { isSecurityDefinitionError } from '../errors/security-definition.error';
import { HtmlSanitizer, htmlSanitizerOptionProblems } from './html-sanitizer';

describe('HtmlSanitizer', () => {
  const sanitizer = new HtmlSanitizer();
  const clean = (html: string) => sanitizer.sanitize(html);

  it('keeps the seed allowlist', () => {
    const html =
      '<h1>T</h1><h6>t</h6><p>a<br>b <strong>s</strong> <em>e</em> <u>u</u></p>' +
      '<ul><li>1</li></ul><ol><li>2</li></ol><pre><code>x &lt; y</code></pre>' +
      '<a href="https://example.com/a?b=1&amp;c=2" title="T">link</a> <a href="mailto:a@example.com">m</a>';
    expect(clean(html)).toBe(html.replace('<br>', '<br />'));
  });

  it('removes other tags and keeps their text', () => {
    expect(clean('<div><span class="x">hi</span> <table><tr><td>c</td></tr></table></div>')).toBe(
      'hi c',
    );
    expect(clean('<img src="https://example.com/i.png" alt="i">')).toBe('');
    expect(clean('<a href="/relative" target="_blank" rel="x" id="y">r</a>')).toBe(
      '<a href="/relative">r</a>',
    );
  });

  // Payloads from the OWASP XSS filter evasion cheat sheet and the usual mXSS corpus.
  it.each([
    '<script>alert(1)</script>',
    '<SCRIPT SRC=http://xss.rocks/xss.js></SCRIPT>',
    '<script/xss src="http://xss.rocks/xss.js"></script>',
    '<<SCRIPT>alert("XSS");//<</SCRIPT>',
    '<IMG SRC="javascript:alert(\'XSS\');">',
    "<IMG SRC=javascript:alert('XSS')>",
    '<IMG """><SCRIPT>alert("XSS")</SCRIPT>">',
    '<IMG SRC=# onmouseover="alert(\'xxs\')">',
    '<IMG SRC=/ onerror="alert(String.fromCharCode(88,83,83))"></img>',
    '<img src=x onerror=alert(1)//>',
    '<svg/onload=alert(1)>',
    '<svg><script>alert(1)</script></svg>',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
    "<BODY ONLOAD=alert('XSS')>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">',
    "<STYLE>@import'http://xss.rocks/xss.css';</STYLE>",
    '<LINK REL="stylesheet" HREF="javascript:alert(\'XSS\');">',
    '<META HTTP-EQUIV="refresh" CONTENT="0;url=javascript:alert(\'XSS\');">',
    '<BASE HREF="javascript:alert(\'XSS\');//">',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<details open ontoggle=alert(1)>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<template><script>alert(1)</script></template>',
    '<xmp><script>alert(1)</script></xmp>',
  ])('neutralises %s', (payload) => {
    const out = clean(payload);
    expect(out).not.toMatch(
      /<\s*(script|svg|math|iframe|object|embed|style|link|meta|base|form|img|body)/i,
    );
    expect(out).not.toMatch(/\son\w+\s*=/i);
    expect(out).not.toMatch(/javascript:/i);
    expect(out).not.toMatch(/alert\(1\)<\/script>/);
  });

  it.each([
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="data:text/html,<script>alert(1)</script>">x</a>',
  ])('drops the dangerous URL of %s and keeps the link text', (payload) => {
    expect(clean(payload)).toBe('<a>x</a>');
  });

  it('drops event handlers and styles from allowed tags', () => {
    expect(clean('<p onclick="alert(1)" style="background:url(javascript:alert(1))">p</p>')).toBe(
      '<p>p</p>',
    );
    expect(clean('<a href="https://e.com" onmouseover="alert(1)">a</a>')).toBe(
      '<a href="https://e.com">a</a>',
    );
  });

  it('drops the text of script and style elements with them', () => {
    expect(clean('<p>a<script>var secret = 1</script><style>p{}</style>b</p>')).toBe('<p>ab</p>');
  });

  it('escapes text that looks like markup once parsed', () => {
    expect(clean('1 < 2 & "q"')).toBe('1 &lt; 2 &amp; "q"');
    expect(clean('<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>')).toBe(
      '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>',
    );
  });

  it('extends the allowlist with extraTags and extraAttributes', () => {
    const s = new HtmlSanitizer({
      extraTags: ['img', 'blockquote'],
      extraAttributes: { blockquote: ['cite'] },
    });
    expect(
      s.sanitize(
        '<blockquote cite="https://q.example/" class="x">q</blockquote><img src="https://e.com/i.png" alt="i" onerror="x()">',
      ),
    ).toBe(
      '<blockquote cite="https://q.example/">q</blockquote><img src="https://e.com/i.png" alt="i" />',
    );
    expect(s.sanitize('<img src="javascript:alert(1)">')).toBe('<img />');
    expect(s.sanitize('<p>kept</p>')).toBe('<p>kept</p>');
  });

  it('replaces the allowlist with allowedTags, allowedAttributes and allowedSchemes', () => {
    const s = new HtmlSanitizer({
      allowedTags: ['b', 'a'],
      allowedAttributes: { a: ['href'] },
      allowedSchemes: ['https'],
    });
    expect(s.sanitize('<p><b>b</b></p><a href="http://e.com" title="t">x</a>')).toBe(
      '<b>b</b><a>x</a>',
    );
    expect(s.sanitize('<a href="https://e.com">y</a>')).toBe('<a href="https://e.com">y</a>');
  });

  it('refuses at construction what would let code through, naming each', () => {
    let error: unknown;
    try {
      new HtmlSanitizer({
        extraTags: ['script', 'IFRAME', 'div'],
        extraAttributes: { a: ['onclick', 'style'], div: ['srcdoc'] },
        allowedSchemes: ['https', 'javascript', 'data'],
      });
    } catch (e) {
      error = e;
    }
    expect(isSecurityDefinitionError(error)).toBe(true);
    const message = (error as Error).message;
    for (const part of [
      '<script>',
      '<IFRAME>',
      '"onclick"',
      '"style"',
      '"srcdoc"',
      '"javascript"',
      '"data"',
    ])
      expect(message).toContain(part);
    expect(message).not.toContain('<div>');
  });

  it('names malformed options', () => {
    expect(
      htmlSanitizerOptionProblems({
        allowedTags: 'p' as never,
        allowedAttributes: [] as never,
        allowedSchemes: ['https:'],
      }),
    ).toEqual([
      '"allowedTags" must be an array of tag names',
      '"allowedAttributes" must map tag names to arrays of attribute names',
      '"allowedSchemes" must be an array of URL schemes without ":" (https, mailto)',
    ]);
  });
});
