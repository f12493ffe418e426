import { applyDecorators, UseInterceptors } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { INVALID_DECORATOR } from '../errors/messages.constant';
import { SecurityDefinitionError } from '../errors/security-definition.error';
import type { SanitizeHtmlOptions } from './html-sanitizer-options.interface';
import { SANITIZE_HTML_KEY } from './html-sanitizer.constants';
import { SanitizeHtmlInterceptor } from './sanitize-html.interceptor';

/** Typed metadata of {@link SanitizeHtml}, as `SanitizeHtmlInterceptor` reads it. */
export const SanitizeHtmlMetadata = Reflector.createDecorator<SanitizeHtmlOptions>({
  key: SANITIZE_HTML_KEY,
});

type ClassOrMethodDecorator = ClassDecorator & MethodDecorator;

/**
 * The method returns HTML from elsewhere: its result goes through the `HtmlSanitizer` (the
 * module's, or one with the defaults) before it leaves. A string result, the text blocks of a
 * tool result, the texts of a resource result and a resource's `{ text }` are sanitized; for a
 * plain object, the `fields` named. On a class, every method of it.
 *
 * Records metadata and attaches `SanitizeHtmlInterceptor` (`@UseInterceptors()`), which reads it;
 * nothing is registered globally. Bad options throw a `SecurityDefinitionError` when the class is
 * defined.
 *
 * @example
 * ```ts
 * @SanitizeHtml()
 * @Tool({ name: 'page_html', annotations: { readOnlyHint: true, openWorldHint: true } })
 * async pageHtml(@Args() input: PageInput) {
 *   return (await this.fetcher.get(input.url)).body;
 * }
 * ```
 */
export function SanitizeHtml(options: SanitizeHtmlOptions = {}): ClassOrMethodDecorator {
  const fields = options?.fields;
  if (
    fields !== undefined &&
    !(Array.isArray(fields) && fields.every((f) => typeof f === 'string' && f !== ''))
  )
    throw new SecurityDefinitionError(
      INVALID_DECORATOR(
        'SanitizeHtml',
        'a class or method',
        '"fields" must be an array of property names',
      ),
    );
  return applyDecorators(
    SanitizeHtmlMetadata({ fields: fields ?? [] }),
    UseInterceptors(SanitizeHtmlInterceptor),
  ) as ClassOrMethodDecorator;
}
