import { Module, type DynamicModule } from '@nestjs/common';
import { MCP_BREAKER_STATES, type McpBreakerStates } from '@rampart/core';

@Module({})
class BreakerStatesModule {}

/**
 * Provides `MCP_BREAKER_STATES` to every module of the app, as `ResilienceModule` (global by
 * default) does, with breakers whose states the test sets.
 */
export function breakerStatesModule(states: McpBreakerStates): DynamicModule {
  return {
    module: BreakerStatesModule,
    global: true,
    providers: [{ provide: MCP_BREAKER_STATES, useValue: states }],
    exports: [MCP_BREAKER_STATES],
  };
}
