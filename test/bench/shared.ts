/**
 * Shared constants and helpers for the benchmark servers and runner: the
 * wire revision under test, the synthetic tool set and env parsing. Every
 * server exposes the same surface: one `echo` tool plus TOOLS extra tools.
 */

/** The stateless MCP revision every target is driven with. */
export const BENCH_PROTOCOL_VERSION = '2026-07-28';

/** The HTTP path every target serves MCP on. */
export const MCP_PATH = '/mcp';

/** The loopback address every target listens on. */
export const BENCH_HOST = '127.0.0.1';

/**
 * The `secure` target's token: its issuer, the resource (audience) it is bound to, the scope
 * `echo` needs and the env var that carries the issuer's public key (a JWK, as JSON) from the
 * runner, which signs the token, to the server, which verifies it.
 */
export const BENCH_AUTH = {
  issuer: 'https://issuer.bench.example/',
  resource: 'https://mcp.bench.example/mcp',
  scope: 'echo:call',
  publicJwkEnv: 'BENCH_JWT_PUBLIC_JWK',
} as const;

/** Default number of extra tools registered next to `echo`. */
export const DEFAULT_TOOLS = 5;

/** A synthetic tool registered next to `echo` so `tools/list` has something to list. */
export interface ExtraTool {
  name: string;
  description: string;
}

/** Description of the `echo` tool, identical in every target. */
export const ECHO_DESCRIPTION = 'Echoes the given text back.';

/** Builds the `count` extra tools (`tool_001`…), identical in every target. */
export function extraTools(count: number): ExtraTool[] {
  return Array.from({ length: count }, (_, i) => {
    const n = String(i + 1).padStart(3, '0');
    return { name: `tool_${n}`, description: `Synthetic benchmark tool number ${n}.` };
  });
}

/** Reads a non-negative integer from the environment, failing loudly on garbage. */
export function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  }
  return value;
}

/** Reads the port a server must listen on (PORT, required, 1–65535). */
export function portFromEnv(): number {
  const port = intFromEnv('PORT', 0);
  if (port < 1 || port > 65535) throw new Error('PORT must be set to a port in 1-65535');
  return port;
}
