import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';

/** What {@link inWorker} runs. */
export interface WorkerRun {
  /** Absolute path of a compiled module of this repo (`libs/<lib>/dist/…`, built by `npm test`). */
  module: string;
  /** Source of a function `(exports, input) => result`, run in the worker on that module. */
  run: string;
  /** The input, copied to the worker (structured clone). */
  input: unknown;
  /** How long the worker may take before it is stopped and the promise rejects. */
  deadlineMs: number;
}

/**
 * Runs a function of a compiled module in a worker thread and resolves with its result; rejects
 * when it has not finished after `deadlineMs`, and stops it.
 *
 * For attacks that make a function run for minutes (a regular expression that backtracks over a
 * caller's long string): run in the test's own thread, such a function would hold the test
 * process until it returned, and then pass. The deadline is far above what the function needs
 * when it is right (milliseconds), so a busy machine does not make it fail.
 *
 * @example
 * const out = await inWorker<string>({
 *   module: join(__dirname, '../../../dist/transports/http/standard-headers.js'),
 *   run: '(m, value) => m.trimOws(value)',
 *   input: `a${' '.repeat(1_000_000)}a`,
 *   deadlineMs: 60_000,
 * });
 */
export function inWorker<T>({ module, run, input, deadlineMs }: WorkerRun): Promise<T> {
  if (!existsSync(module))
    return Promise.reject(new Error(`${module} is not built: run npm run build (npm test does)`));
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const run = (0, eval)(workerData.run);
     parentPort.postMessage(run(require(workerData.module), workerData.input));`,
    { eval: true, workerData: { module, run, input } },
  );
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      void worker.terminate();
      reject(new Error(`still running after ${deadlineMs} ms`));
    }, deadlineMs);
    worker.once('message', (result: T) => {
      clearTimeout(timer);
      void worker.terminate();
      resolve(result);
    });
    worker.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
