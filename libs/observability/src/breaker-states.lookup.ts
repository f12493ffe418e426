import type { ModuleRef } from '@nestjs/core';
import { MCP_BREAKER_STATES, type McpBreakerStates } from '@rampart/core';

/**
 * The app's `MCP_BREAKER_STATES` provider, wherever it is (a resilience module need not be
 * global), or `undefined`; looked up across modules once, when first needed, so that the order
 * in which modules are created does not matter.
 */
export function breakerStatesLookup(moduleRef: ModuleRef): () => McpBreakerStates | undefined {
  let found: McpBreakerStates | null | undefined;
  return () => {
    if (found === undefined)
      try {
        found = moduleRef.get<McpBreakerStates>(MCP_BREAKER_STATES, { strict: false });
      } catch {
        found = null;
      }
    return found ?? undefined;
  };
}
