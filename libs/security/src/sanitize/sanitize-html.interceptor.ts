import { Injectable, Optional, type CallHandler, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { McpCallInterceptor } from '@rampart/core';
import { map, type Observable } from 'rxjs';
import type { SanitizeHtmlOptions } from './html-sanitizer-options.interface';
import { HtmlSanitizer } from './html-sanitizer';
import { SANITIZE_HTML_KEY } from './html-sanitizer.constants';

const isObject = (v: unknown): v is Record<string, unknown> =>
  !!v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array);

/**
 * Sanitizes the result of a method marked `@SanitizeHtml()` with the `HtmlSanitizer`: a string;
 * the `text` of each text block of a tool result (`{ content: [...] }`) and of each embedded
 * resource; the `text` of each entry of a resource result (`{ contents: [...] }`); a resource's
 * `{ text }`; and for any other object the top-level string properties named by `fields`. Leaves
 * everything else, and methods without the metadata, as they are. Works around MCP handlers (its
 * promise form) and HTTP controllers alike.
 *
 * Uses the app's `HtmlSanitizer` when one is provided (by `SecurityModule`, or as a provider),
 * else one with the defaults.
 *
 * @example
 * ```ts
 * @UseInterceptors(SanitizeHtmlInterceptor)
 * @SanitizeHtmlMetadata({ fields: ['html'] })
 * page() { return { url, html }; }
 * ```
 */
@Injectable()
export class SanitizeHtmlInterceptor implements McpCallInterceptor {
  private readonly sanitizer: HtmlSanitizer;

  constructor(
    private readonly reflector: Reflector,
    @Optional() sanitizer?: HtmlSanitizer,
  ) {
    this.sanitizer = sanitizer ?? new HtmlSanitizer();
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const options = this.optionsOf(context);
    return options ? next.handle().pipe(map((value) => this.clean(value, options))) : next.handle();
  }

  async interceptCall(context: ExecutionContext, next: () => Promise<unknown>): Promise<unknown> {
    const options = this.optionsOf(context);
    const value = await next();
    return options ? this.clean(value, options) : value;
  }

  /** The `@SanitizeHtml()` options of the method (or its class), if it has them. */
  protected optionsOf(context: ExecutionContext): SanitizeHtmlOptions | undefined {
    return this.reflector.getAllAndOverride<SanitizeHtmlOptions | undefined>(SANITIZE_HTML_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
  }

  /** A copy of `value` with its HTML sanitized (the method's own objects are not changed). */
  protected clean(value: unknown, options: SanitizeHtmlOptions): unknown {
    const html = (text: unknown) =>
      typeof text === 'string' ? this.sanitizer.sanitize(text) : text;
    if (typeof value === 'string') return html(value);
    if (!isObject(value)) return value;
    if (Array.isArray(value.content))
      return {
        ...value,
        content: value.content.map((block: unknown) => {
          if (!isObject(block)) return block;
          if (block.type === 'text') return { ...block, text: html(block.text) };
          if (
            block.type === 'resource' &&
            isObject(block.resource) &&
            typeof block.resource.text === 'string'
          )
            return { ...block, resource: { ...block.resource, text: html(block.resource.text) } };
          return block;
        }),
      };
    if (Array.isArray(value.contents))
      return {
        ...value,
        contents: value.contents.map((entry: unknown) =>
          isObject(entry) && typeof entry.text === 'string'
            ? { ...entry, text: html(entry.text) }
            : entry,
        ),
      };
    const fields = options.fields?.length
      ? options.fields
      : typeof value.text === 'string'
        ? ['text']
        : [];
    if (fields.length === 0) return value;
    const out: Record<string, unknown> = { ...value };
    for (const field of fields) if (field in out) out[field] = html(out[field]);
    return out;
  }
}
