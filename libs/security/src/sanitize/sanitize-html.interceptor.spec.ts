import type { CallHandler, ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { lastValueFrom, of } from 'rxjs';
import { isSecurityDefinitionError } from '../errors/security-definition.error';
import { HtmlSanitizer } from './html-sanitizer';
import { SanitizeHtml } from './sanitize-html.decorator';
import { SanitizeHtmlInterceptor } from './sanitize-html.interceptor';

/** Marks what it was given instead of sanitizing it, to show what the interceptor passes. */
class MarkingSanitizer extends HtmlSanitizer {
  override sanitize(html: string): string {
    return `clean(${html})`;
  }
}

class Tools {
  @SanitizeHtml()
  page(): unknown {
    return undefined;
  }

  @SanitizeHtml({ fields: ['html', 'missing'] })
  structured(): unknown {
    return undefined;
  }

  plain(): unknown {
    return undefined;
  }
}

@SanitizeHtml()
class Marked {
  any(): unknown {
    return undefined;
  }
}

const contextOf = (cls: new () => object, method: string): ExecutionContext =>
  ({
    getHandler: () => (cls.prototype as Record<string, unknown>)[method],
    getClass: () => cls,
  }) as ExecutionContext;

describe('SanitizeHtmlInterceptor', () => {
  const interceptor = new SanitizeHtmlInterceptor(new Reflector(), new MarkingSanitizer());
  const call = (value: unknown, method = 'page', cls: new () => object = Tools) =>
    interceptor.interceptCall(contextOf(cls, method), () => Promise.resolve(value));

  it('sanitizes a string result', async () => {
    expect(await call('<p>x</p>')).toBe('clean(<p>x</p>)');
  });

  it('sanitizes the text blocks and embedded resources of a tool result, nothing else', async () => {
    const image = { type: 'image', data: 'AAA', mimeType: 'image/png' };
    const blob = { type: 'resource', resource: { uri: 'x://b', blob: 'AAA' } };
    const result = {
      content: [
        { type: 'text', text: '<b>a</b>' },
        image,
        { type: 'resource', resource: { uri: 'x://a', text: '<i>b</i>', mimeType: 'text/html' } },
        blob,
      ],
      structuredContent: { html: '<b>raw</b>' },
    };
    expect(await call(result)).toEqual({
      content: [
        { type: 'text', text: 'clean(<b>a</b>)' },
        image,
        {
          type: 'resource',
          resource: { uri: 'x://a', text: 'clean(<i>b</i>)', mimeType: 'text/html' },
        },
        blob,
      ],
      structuredContent: { html: '<b>raw</b>' },
    });
    expect(result.content[0]).toEqual({ type: 'text', text: '<b>a</b>' });
  });

  it('sanitizes the texts of a resource result and a resource’s { text }', async () => {
    expect(
      await call({
        contents: [
          { uri: 'p://1', text: '<p>1</p>' },
          { uri: 'p://2', blob: 'AA' },
        ],
      }),
    ).toEqual({
      contents: [
        { uri: 'p://1', text: 'clean(<p>1</p>)' },
        { uri: 'p://2', blob: 'AA' },
      ],
    });
    expect(await call({ text: '<p>t</p>', mimeType: 'text/html' })).toEqual({
      text: 'clean(<p>t</p>)',
      mimeType: 'text/html',
    });
  });

  it('sanitizes the named fields of a plain object', async () => {
    expect(await call({ url: 'https://e.com/<x>', html: '<p>h</p>' }, 'structured')).toEqual({
      url: 'https://e.com/<x>',
      html: 'clean(<p>h</p>)',
    });
  });

  it('leaves other values, and methods without the decorator, alone', async () => {
    expect(await call(42)).toBe(42);
    expect(await call(null)).toBeNull();
    const bytes = new Uint8Array([60]);
    expect(await call(bytes)).toBe(bytes);
    expect(await call({ a: '<b>' })).toEqual({ a: '<b>' });
    expect(await call('<p>x</p>', 'plain')).toBe('<p>x</p>');
  });

  it('applies a class decorator to every method', async () => {
    expect(await call('<p>x</p>', 'any', Marked)).toBe('clean(<p>x</p>)');
  });

  it('works as a plain Nest interceptor (HTTP controllers)', async () => {
    const next: CallHandler = { handle: () => of('<p>x</p>') };
    expect(await lastValueFrom(interceptor.intercept(contextOf(Tools, 'page'), next))).toBe(
      'clean(<p>x</p>)',
    );
    expect(await lastValueFrom(interceptor.intercept(contextOf(Tools, 'plain'), next))).toBe(
      '<p>x</p>',
    );
  });

  it('uses a default sanitizer when the app provides none', async () => {
    const fallback = new SanitizeHtmlInterceptor(new Reflector());
    expect(
      await fallback.interceptCall(contextOf(Tools, 'page'), () =>
        Promise.resolve('<p onclick="x()">ok<script>bad()</script></p>'),
      ),
    ).toBe('<p>ok</p>');
  });

  it('refuses bad options when the class is defined', () => {
    let error: unknown;
    try {
      SanitizeHtml({ fields: [''] });
    } catch (e) {
      error = e;
    }
    expect(isSecurityDefinitionError(error)).toBe(true);
  });
});
