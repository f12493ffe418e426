import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';
import tls from 'node:tls';
import type { EgressLogger, EgressResolver, ResolvedAddress } from '@rampart/security';

/** Addresses a test may really connect to. */
const LOOPBACK = new Set(['127.0.0.1', '::1']);

/**
 * Loopback connections that other clients in the test process make, never the code under test:
 * Redis and PostgreSQL clients (a suite that ran earlier in the same Jest worker may still be
 * reconnecting to its own server) and Node's built-in fetch (the MCP clients of the tests and
 * their retries). The fetchers under test connect through the `undici` package, never these.
 */
const BYSTANDERS = [
  '/node_modules/ioredis/',
  '/node_modules/@redis/',
  '/node_modules/pg/',
  'node:internal/deps/undici/',
];

/**
 * Watches every socket the process opens while a test runs (`net.connect`,
 * `net.createConnection`, `tls.connect`, which undici calls): records each attempt as
 * `host:port` and lets only loopback addresses through. Any other attempt fails at once, before
 * a packet leaves, as a refused connection: so a test can show where a connection *would* have
 * gone without going there. Undo with `jest.restoreAllMocks()`.
 *
 * Every attempt at an address that is not loopback is recorded and refused, whoever makes it.
 * A loopback attempt is recorded unless it comes from one of the {@link BYSTANDERS}: a Redis
 * client of a suite that ran before in the same worker, reconnecting to a port of its own, is
 * not the fetcher dialling that port (it was, once, in a strict `toEqual` of the attempts).
 */
export function guardConnections(): string[] {
  const attempts: string[] = [];
  const guard =
    <F extends (...args: any[]) => unknown>(real: F, owner: object) =>
    (...args: unknown[]) => {
      const options = (
        typeof args[0] === 'object' && args[0] !== null ? args[0] : { port: args[0], host: args[1] }
      ) as { host?: string; port?: number | string; path?: string };
      const host = options.host ?? 'localhost';
      const refused = options.path !== undefined || !LOOPBACK.has(host);
      if (refused || !fromBystander()) attempts.push(`${host}:${options.port}`);
      if (refused)
        throw Object.assign(new Error(`connect ECONNREFUSED ${host}: blocked by the test guard`), {
          code: 'ECONNREFUSED',
        });
      return real.apply(owner, args);
    };
  // The real functions, taken before the spies replace them.
  const [netConnect, createConnection, tlsConnect] = [
    net.connect,
    net.createConnection,
    tls.connect,
  ];
  jest.spyOn(net, 'connect').mockImplementation(guard(netConnect, net) as never);
  jest.spyOn(net, 'createConnection').mockImplementation(guard(createConnection, net) as never);
  jest.spyOn(tls, 'connect').mockImplementation(guard(tlsConnect, tls) as never);
  return attempts;
}

/** Whether the connection being opened comes from a client that is not under test. */
function fromBystander(): boolean {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 30;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  return BYSTANDERS.some((frame) => stack.includes(frame));
}

/** Maps names to addresses without DNS, from a script (one answer per lookup); records lookups. */
export class ScriptedResolver implements EgressResolver {
  readonly lookups: string[] = [];
  private readonly scripts = new Map<string, string[][]>();

  constructor(names: Record<string, string[] | string[][]> = {}) {
    for (const [name, answer] of Object.entries(names)) this.set(name, answer);
  }

  /** `name` answers `answer`, or each of `answers` in turn (the last one from then on). */
  set(name: string, answer: string[] | string[][]): void {
    this.scripts.set(
      name,
      Array.isArray(answer[0]) ? [...(answer as string[][])] : [answer as string[]],
    );
  }

  async lookup(hostname: string): Promise<readonly ResolvedAddress[]> {
    this.lookups.push(hostname);
    const script = this.scripts.get(hostname);
    if (!script)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    const answer = script.length > 1 ? script.shift()! : script[0];
    return answer.map((address) => ({ address, family: net.isIP(address) }));
  }
}

/** Collects the fetcher's refusal reasons (the server log). */
export class MemoryLogger implements EgressLogger {
  readonly lines: string[] = [];
  warn(message: string): void {
    this.lines.push(message);
  }
}

/** An HTTP server on 127.0.0.1 with a handler and a count of the connections it accepted. */
export interface Fixture {
  port: number;
  /** `http://127.0.0.1:<port><path>` */
  url(path?: string): string;
  /** Connections accepted so far. */
  readonly connections: number;
  /** Requests received so far, as `METHOD path`. */
  readonly requests: string[];
  close(): Promise<void>;
}

export async function startFixture(
  handler: (req: IncomingMessage, res: ServerResponse, body: string) => void,
): Promise<Fixture> {
  const sockets = new Set<Socket>();
  const requests: string[] = [];
  let connections = 0;
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => handler(req, res, body));
  });
  server.on('connection', (socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: (path = '/') => `http://127.0.0.1:${port}${path}`,
    get connections() {
      return connections;
    },
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A loopback port nothing listens on (taken, then released). */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Lets undici put a connection back in its pool: it waits one turn of the event loop after a
 * response before reusing a kept-alive socket (a `setImmediate`, queued before this one).
 */
export const poolSettled = () => new Promise<void>((resolve) => setImmediate(resolve));
