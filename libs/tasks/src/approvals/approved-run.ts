import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The method a run may call although it needs an approval: set by the tasks runner, around the
 * run of a held call whose approval it has just consumed, and nowhere else.
 *
 * Why by hand: `@RequiresApproval()` is otherwise metadata that only `TasksModule` reads, so in
 * an app without it (or where its reading is bypassed) the method would run unapproved. The
 * method itself refuses instead, unless the runner vouches for this very run.
 */
const approvedRun = new AsyncLocalStorage<{ readonly method: unknown }>();

/** Runs `fn` as the approved run of `method` (the tool's handler): only that method is let through. */
export function runApproved<T>(method: unknown, fn: () => T): T {
  return approvedRun.run({ method }, fn);
}

/** Whether the current call is the approved run of `method`. */
export function isApprovedRun(method: unknown): boolean {
  const run = approvedRun.getStore();
  return run !== undefined && run.method === method;
}
