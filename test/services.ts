/**
 * The real servers some suites need, as the global setup (`test/global-setup.ts`) found them:
 * running, started for the run, or missing. A suite that needs a missing one is skipped, and the
 * setup has said in one line what to start.
 */

/**
 * - `redis`: a Redis at `REDIS_URL` (default `redis://127.0.0.1:6379`);
 * - `redis-server`: the `redis-server` program, for suites that start, freeze and kill servers
 *   of their own;
 * - `postgres`: a PostgreSQL at `DATABASE_URL` (default `postgres://postgres@127.0.0.1:5432/test`).
 */
export type Service = 'redis' | 'redis-server' | 'postgres';

/** Default URLs, as the suites read them. */
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

/** The variable through which the global setup tells the suites which services are missing. */
export const MISSING_SERVICES_ENV = 'RAMPART_TEST_MISSING';

/** Whether `service` can be used (true when the global setup did not run). */
export function available(service: Service | undefined): boolean {
  if (service === undefined) return true;
  return !(process.env[MISSING_SERVICES_ENV] ?? '').split(',').includes(service);
}

/**
 * `describe`, or `describe.skip` when `service` is missing.
 *
 * @example
 * describeWith('redis')('sessions across replicas (real Redis)', () => { ... });
 */
export const describeWith = (service: Service): jest.Describe =>
  available(service) ? describe : describe.skip;

/**
 * `it`, or `it.skip` when `service` is missing.
 *
 * @example
 * itWith('redis')('keeps everything in Redis with a URL', async () => { ... });
 */
export const itWith = (service: Service): jest.It => (available(service) ? it : it.skip);

/**
 * `describe.each(rows)`, where the rows that need a missing service are skipped:
 * `needs(row)` names the service a row needs, if any.
 *
 * @example
 * describeEachWith(stores, ([name]) => (name === 'Redis' ? 'redis' : undefined))(
 *   'per-client caps (%s)',
 *   (_name, state) => { ... },
 * );
 */
export function describeEachWith<Row extends readonly unknown[]>(
  rows: readonly Row[],
  needs: (row: Row) => Service | undefined,
): (title: string, body: (...row: Row) => void) => void {
  return (title, body) => {
    const run = rows.filter((row) => available(needs(row)));
    const skip = rows.filter((row) => !available(needs(row)));
    // Jest's typings cannot follow a generic row through `each`; the rows are passed as they are.
    const each = (d: jest.Describe, table: readonly Row[]) =>
      d.each(table as any[])(title, body as (...args: any[]) => void);
    if (run.length) each(describe, run);
    if (skip.length) each(describe.skip, skip);
  };
}
