import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { started } from './global-setup';

/** Jest's global teardown: stops what the global setup started for this run. */
export default async function globalTeardown(): Promise<void> {
  const servers = started();
  const redis = servers.redis;
  servers.redis = undefined;
  if (redis && redis.exitCode === null && redis.signalCode === null) {
    const exited = new Promise((resolve) => redis.once('exit', resolve));
    redis.kill('SIGTERM');
    await exited;
  }
  const run = promisify(execFile);
  for (const { version, name } of servers.clusters.splice(0))
    await run('pg_ctlcluster', [version, name, 'stop'], { timeout: 60_000 }).catch(() => undefined);
}
