/** `Class.method`, for messages. */
export const describeMember = (target: object, key: string | symbol): string =>
  `${(target as { constructor: { name: string } }).constructor.name}.${String(key)}`;
