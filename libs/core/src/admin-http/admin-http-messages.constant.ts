export const ADMIN_HTTP_BODY_TOO_LARGE = (limitBytes: number) =>
  `The body is larger than ${limitBytes} bytes`;
export const ADMIN_HTTP_BODY_UNPARSABLE = () => 'The body is not valid JSON';
export const ADMIN_HTTP_BODY_NOT_JSON = () => 'The body must be JSON (application/json)';
