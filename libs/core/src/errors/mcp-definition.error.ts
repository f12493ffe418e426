const BRAND = Symbol.for('rampart.McpDefinitionError');

/**
 * A mistake in how tools, resources or prompts are declared, found when a class is defined or
 * when the app boots (bad names, duplicates, DTOs without metadata).
 */
export class McpDefinitionError extends Error {
  readonly [BRAND] = true;
  override readonly name: string = 'McpDefinitionError';
}

/** Whether `e` is a {@link McpDefinitionError}. */
export const isMcpDefinitionError = (e: unknown): e is McpDefinitionError =>
  !!e && typeof e === 'object' && (e as Record<symbol, unknown>)[BRAND] === true;
