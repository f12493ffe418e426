const noop = (): void => undefined;
const NO_RESULTS: Promise<readonly unknown[]> = Promise.resolve(Object.freeze([]));

/**
 * What {@link releaseSettledPipelines} puts in place of the fields of a settled ioredis `Pipeline`
 * (5.x and 6.x): what an empty pipeline holds, so that one executed again answers `[]`.
 */
const RELEASED: Record<string, () => unknown> = {
  _queue: () => [],
  _result: () => [],
  promise: () => NO_RESULTS,
  resolve: () => noop,
  reject: () => noop,
};
const RELEASED_FIELDS = Object.keys(RELEASED);

/** The part of an ioredis pipeline this file touches. */
interface PipelineInternals {
  exec: (this: PipelineInternals, ...args: unknown[]) => Promise<unknown>;
  [field: string]: unknown;
}

/** A client whose `pipeline()` makes ioredis pipelines (auto-pipelining calls it once a turn). */
interface PipelineMaker {
  pipeline?: (...args: unknown[]) => PipelineInternals;
}

/**
 * Empties each pipeline of `client` once its replies are handed out. Why, by hand: ioredis (5.x
 * and 6.x) gives every pipeline a `length` getter defined on the instance
 * (`Object.defineProperty(this, 'length', { get: () => _this._queue.length })`), and
 * auto-pipelining makes one pipeline per event-loop turn. V8 allocates the accessor pair of a
 * property defined that way in the old generation, and a minor GC treats every reference from
 * the old generation as live until the next full GC: the getter's closure, the pipeline it
 * captures and everything the pipeline still holds (its commands, their promises and replies)
 * survive every minor GC, are promoted, and so is what they reference. On the `full` benchmark
 * stack (a rate limit counted in Redis) that promoted about 2 MB per minor GC, lengthened minor
 * GC pauses and grew the old generation until the next full GC (docs/benchmarks.md). Nothing reads a
 * pipeline's queue or results once its promise has settled (its callers got the results, a
 * copy, through that promise); emptying them leaves the getter holding a shell of a few hundred
 * bytes.
 *
 * Applied by {@link createRedisClient} to the clients Rampart makes; a client of the user's is
 * left as it is. A pipeline of another shape (a later ioredis) is left as it is too; the spec
 * beside this file fails when ioredis stops defining that getter, the sign to remove this.
 *
 * @example
 * ```ts
 * const client = releaseSettledPipelines(new Redis(url, { enableAutoPipelining: true }));
 * ```
 */
export function releaseSettledPipelines<T>(client: T): T {
  const maker = client as PipelineMaker;
  const pipeline = maker.pipeline;
  if (typeof pipeline !== 'function') return client;
  maker.pipeline = function (this: unknown, ...args: unknown[]): PipelineInternals {
    const made = pipeline.apply(this, args);
    const exec = made.exec;
    if (typeof exec !== 'function' || !RELEASED_FIELDS.every((field) => field in made)) return made;
    made.exec = function (this: PipelineInternals, ...execArgs: unknown[]): Promise<unknown> {
      const settled = exec.apply(this, execArgs);
      // The caller's results are a copy of `_result`, made before the promise settled.
      const release = (): void => {
        for (const field of RELEASED_FIELDS) made[field] = RELEASED[field]();
      };
      settled.then(release, release);
      return settled;
    };
    return made;
  };
  return client;
}
