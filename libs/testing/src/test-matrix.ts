import type { ProtocolEra } from '@rampart/core';
import type { McpTestAppOptions } from './create-mcp-test-app';

/** One cell of the transport × adapter × era matrix. */
export type McpTestSetup = Required<Pick<McpTestAppOptions, 'transport' | 'era'>> &
  Pick<McpTestAppOptions, 'adapter'>;

const ERA_NAMES: Record<ProtocolEra, string> = { modern: '2026-07-28', legacy: '2025-11-25' };

/**
 * Every way a client reaches a server, for `describe.each`: in memory, over HTTP on Express and
 * on Fastify, each in both protocol eras (`filter` narrows it).
 *
 * @example
 * ```ts
 * describe.each(mcpTestMatrix())('tools over %s', (_name, setup) => {
 *   beforeAll(async () => (t = await createMcpTestApp({ imports: [AppModule], ...setup })));
 * });
 * ```
 */
export function mcpTestMatrix(
  filter: (setup: McpTestSetup) => boolean = () => true,
): [string, McpTestSetup][] {
  const setups: McpTestSetup[] = [];
  for (const era of ['modern', 'legacy'] as const) {
    setups.push({ transport: 'memory', era });
    for (const adapter of ['express', 'fastify'] as const)
      setups.push({ transport: 'http', adapter, era });
  }
  return setups
    .filter(filter)
    .map((s) => [`${s.transport === 'memory' ? 'memory' : s.adapter}, ${ERA_NAMES[s.era]}`, s]);
}
