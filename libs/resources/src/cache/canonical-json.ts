/**
 * JSON of `value` with the keys of every object sorted, so that two argument objects that differ
 * only in key order give the same text (and so the same cache key). `undefined` members are left
 * out, as `JSON.stringify` does; values JSON cannot carry (functions, symbols) are too.
 *
 * @example
 * ```ts
 * canonicalJson({ b: 1, a: { d: 2, c: 3 } }); // '{"a":{"c":3,"d":2},"b":1}'
 * ```
 */
export function canonicalJson(value: unknown): string {
  return (
    JSON.stringify(value, (_key, v: unknown) => {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
      // Leaves what JSON.stringify turns into something else (toJSON: dates, buffers) to it.
      if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return v;
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
      return sorted;
    }) ?? 'null'
  );
}
