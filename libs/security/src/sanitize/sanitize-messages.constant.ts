export const INVALID_SANITIZER_OPTIONS = (problems: readonly string[]) =>
  `Invalid HtmlSanitizer options: ${problems.join('; ')}`;
export const FORBIDDEN_TAG = (where: string, tag: string) =>
  `"${where}" may not allow <${tag}>: it runs code or loads another document, whatever its attributes`;
export const FORBIDDEN_ATTRIBUTE = (where: string, attribute: string) =>
  `"${where}" may not allow the attribute "${attribute}": event handlers, style and srcdoc can run code or restyle the page`;
export const FORBIDDEN_SCHEME = (scheme: string) =>
  `"allowedSchemes" may not hold "${scheme}": URLs of that scheme can run code`;
