/**
 * Times methods of a running server in place, under load: preloaded with `node --require`, it
 * wraps the named prototype methods of the named classes as their modules load, adds up the
 * wall time of each call (`process.hrtime.bigint()` around it) and prints the mean per call, in
 * µs, to stderr every `BENCH_TIME_EVERY` calls (default 50,000) of the first method named.
 *
 * For a method that returns a promise, the time is the synchronous part: from the call to its
 * first pending `await`, which is CPU time, not waiting. Calls nested inside another timed
 * method are counted in both. A profile (`--cpu-prof`) spreads a cost over the functions V8
 * samples; this tells what one step costs in the loaded server itself, garbage collections
 * included, which is where a loop outside the server can be off by several times.
 *
 * Usage (the classes must be exported by the module whose path ends with the file named):
 *
 * ```bash
 * BENCH_TIME_METHODS='transports/http/streamable-http.handler.js:StreamableHttpHandler.checkDnsRebinding,transports/http/modern-fast-path.js:ModernFastPath.decode' \
 *   NODE_ENV=production PORT=3105 STACK=full STORAGE=redis \
 *   node_modules/.bin/node --require ./test/bench/dist/method-timer.js test/bench/dist/echo-server.js
 * # in another shell: the autocannon command of docs/benchmarks.md, "Running it"
 * ```
 */
import Module = require('node:module');

interface Timed {
  /** Path suffix of the module that exports the class. */
  file: string;
  className: string;
  method: string;
  total: bigint;
}

const spec = process.env.BENCH_TIME_METHODS ?? '';
const every = Number(process.env.BENCH_TIME_EVERY ?? 50_000);
const timed: Timed[] = spec
  .split(',')
  .map((item) => item.trim())
  .filter(Boolean)
  .map((item) => {
    const match = /^(.+):([A-Za-z0-9_$]+)\.([A-Za-z0-9_$]+)$/.exec(item);
    if (!match) throw new Error(`BENCH_TIME_METHODS: expected path:Class.method, got "${item}"`);
    return { file: match[1], className: match[2], method: match[3], total: 0n };
  });

let calls = 0;

function report(): void {
  process.stderr.write(
    `${timed.map((t) => `${t.className}.${t.method} ${(Number(t.total) / every / 1000).toFixed(2)} µs`).join(' | ')}\n`,
  );
  for (const t of timed) t.total = 0n;
}

function wrap(exports: Record<string, unknown>, entry: Timed): void {
  const cls = exports[entry.className] as { prototype: Record<string, unknown> } | undefined;
  const original = cls?.prototype[entry.method];
  if (typeof original !== 'function')
    throw new Error(`method-timer: ${entry.className}.${entry.method} not found in ${entry.file}`);
  const first = entry === timed[0];
  cls!.prototype[entry.method] = function (this: unknown, ...args: unknown[]): unknown {
    const start = process.hrtime.bigint();
    const result: unknown = original.apply(this, args);
    entry.total += process.hrtime.bigint() - start;
    if (first && ++calls % every === 0) report();
    return result;
  };
}

if (timed.length > 0) {
  const loader = Module as unknown as {
    _load(this: void, request: string, parent: unknown, isMain: boolean): unknown;
    _resolveFilename(request: string, parent: unknown, isMain: boolean): string;
  };
  const load = loader._load;
  const done = new Set<Timed>();
  loader._load = (request: string, parent: unknown, isMain: boolean): unknown => {
    const exports = load(request, parent, isMain);
    if (done.size === timed.length) return exports;
    let file: string;
    try {
      file = loader._resolveFilename(request, parent, isMain);
    } catch {
      return exports;
    }
    for (const entry of timed)
      if (!done.has(entry) && file.endsWith(entry.file)) {
        wrap(exports as Record<string, unknown>, entry);
        done.add(entry);
      }
    return exports;
  };
}
