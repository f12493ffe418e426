/** The requests that load shedding and the endpoint rate limit count: the ones that do work. */
export const COUNTED_METHODS: ReadonlySet<string> = new Set([
  'tools/call',
  'resources/read',
  'prompts/get',
]);
