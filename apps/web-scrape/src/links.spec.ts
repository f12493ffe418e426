import { linkUrl, pageLinks } from './links';

describe('pageLinks', () => {
  const page = 'http://site.test/dir/page?x=1#top';

  it('resolves relative links, drops fragments, keeps each link once, in document order', () => {
    const html = `
      <a href="other">O</a> <A HREF="/root#part">R</A> <a href="../up?q=1">U</a>
      <a href="#top">the page itself</a> <a href="/root">R again</a>
      <area href="https://site.test:8443/map" /> <a href="//cdn.test/x">protocol-relative</a>
      <a href="  /spaced  ">S</a> <a href="/a?b=1&amp;c=2">entity</a>`;
    expect(pageLinks(html, page)).toEqual([
      'http://site.test/dir/other',
      'http://site.test/root',
      'http://site.test/up?q=1',
      'http://site.test/dir/page?x=1',
      'https://site.test:8443/map',
      'http://cdn.test/x',
      'http://site.test/spaced',
      'http://site.test/a?b=1&c=2',
    ]);
  });

  it('takes only http(s) links of a and area elements, not comments, scripts or other tags', () => {
    const html = `
      <!-- <a href="/in-comment">x</a> -->
      <script>document.write('<a href="/in-script">x</a>')</script>
      <a href="mailto:a@b.test">m</a> <a href="javascript:alert(1)">j</a>
      <a href="ftp://site.test/f">f</a> <a href="data:text/html,x">d</a> <a>no href</a>
      <link href="/style.css" rel="stylesheet"> <img src="/img.png"> <a href="http://[bad">b</a>
      <div title='<a href="/in-attribute">'>text</div> <a href="/real">real</a>`;
    expect(pageLinks(html, page)).toEqual(['http://site.test/real']);
  });

  it('resolves against the first <base href>', () => {
    const html = '<base href="/sub/"><base href="/ignored/"><a href="x">x</a>';
    expect(pageLinks(html, page)).toEqual(['http://site.test/sub/x']);
  });
});

describe('linkUrl', () => {
  it('answers undefined for what is not an http(s) URL', () => {
    expect(linkUrl('javascript:void(0)', 'http://a.test/')).toBeUndefined();
    expect(linkUrl('http://[::1', 'http://a.test/')).toBeUndefined();
    expect(linkUrl('/p#f', 'http://a.test/x')).toBe('http://a.test/p');
  });
});
