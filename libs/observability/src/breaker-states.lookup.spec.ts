import type { ModuleRef } from '@nestjs/core';
import { MCP_BREAKER_STATES, type McpBreakerStates } from '@rampart/core';
import { breakerStatesLookup } from './breaker-states.lookup';

describe('breakerStatesLookup', () => {
  it('finds the provider in any module (not only a global one), once', () => {
    const states: McpBreakerStates = { snapshot: () => [] };
    const get = jest.fn(() => states);
    const lookup = breakerStatesLookup({ get } as unknown as ModuleRef);
    expect(lookup()).toBe(states);
    expect(lookup()).toBe(states);
    expect(get).toHaveBeenCalledTimes(1);
    expect(get).toHaveBeenCalledWith(MCP_BREAKER_STATES, { strict: false });
  });

  it('answers undefined when no module provides breaker states', () => {
    const get = jest.fn(() => {
      throw new Error('Nest could not find MCP_BREAKER_STATES');
    });
    const lookup = breakerStatesLookup({ get } as unknown as ModuleRef);
    expect(lookup()).toBeUndefined();
    expect(lookup()).toBeUndefined();
    expect(get).toHaveBeenCalledTimes(1);
  });
});
