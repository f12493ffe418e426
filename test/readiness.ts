/** What `/health/ready` answered: its status and its terminus body. */
export interface Readiness {
  status: number;
  body: {
    status: string;
    info?: Record<string, Record<string, unknown>>;
    error?: Record<string, Record<string, unknown>>;
    details: Record<string, { status: string } & Record<string, unknown>>;
  };
}

async function readiness(url: string | URL, init?: RequestInit): Promise<Readiness> {
  const res = await fetch(url, init);
  return { status: res.status, body: (await res.json()) as Readiness['body'] };
}

/**
 * `/health/ready` of a freshly started app, once the window of its first check is behind it.
 *
 * The readiness check's `event_loop` indicator judges the event-loop delay since the previous
 * check. The first window opens when the app has bootstrapped (the modules' init does not
 * count) and holds its first calls, whose synchronous work (a module loaded on first use, a
 * schema compiled) can pass the threshold on a busy machine; in an e2e test the app shares its
 * event loop with the test itself. So the first answer may be 503
 * with `event_loop` down, and with nothing else down; the second, which covers only the time
 * between the two, is returned for the test to check.
 *
 * @example
 * const ready = await readinessAfterWarmUp(`${base}/health/ready`);
 * expect(ready.status).toBe(200);
 */
export async function readinessAfterWarmUp(
  url: string | URL,
  init?: RequestInit,
): Promise<Readiness> {
  const first = await readiness(url, init);
  if (first.status !== 200) {
    expect(first.status).toBe(503);
    const down = Object.entries(first.body.details)
      .filter(([, indicator]) => indicator.status !== 'up')
      .map(([name]) => name);
    expect(down).toEqual(['event_loop']);
  }
  return readiness(url, init);
}
