#!/usr/bin/env node
'use strict';
/**
 * Runs the official MCP conformance suite (@modelcontextprotocol/conformance, pinned in
 * package.json) against apps/conformance, once per protocol revision:
 *
 *   npm run test:conformance
 *
 * It builds nothing: CI (.ci/run) runs `npm run build` first, and locally `npm run build` must
 * have produced apps/conformance/dist. The script starts the fixture server on a free port on
 * 127.0.0.1, waits for it to answer, runs `conformance server --requirements 2026-07-28` and then
 * `--requirements 2025-11-25` against it, then every scenario of the tasks extension
 * (`io.modelcontextprotocol/tasks`, the `tasks-*` scenarios that `conformance list` names; the
 * suite runs extension scenarios on the 2026-07-28 wire, the only revision the extension
 * defines), prints each run's summary, always stops the server, and exits non-zero when any run
 * fails (a FAILURE check in a scored scenario, or a failing check of an extension scenario) or
 * times out.
 *
 * Environment:
 *   CONFORMANCE_RUN_TIMEOUT_MS   upper bound of one run (default 300000)
 *   CONFORMANCE_VERBOSE=1        print every check, not only the summaries
 *   CONFORMANCE_OUTPUT_DIR       where the suite writes checks.json files (default: a temp dir)
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const SERVER_ENTRY = path.join(ROOT, 'apps/conformance/dist/main.js');
const SUITE_BIN = path.join(ROOT, 'node_modules/.bin/conformance');
const REQUIREMENTS = ['2026-07-28', '2025-11-25'];
/** The extension whose scenarios run after the requirement sets. */
const TASKS_EXTENSION = 'io.modelcontextprotocol/tasks';
const RUN_TIMEOUT_MS = Number(process.env.CONFORMANCE_RUN_TIMEOUT_MS ?? 300_000);
const START_TIMEOUT_MS = 30_000;
const VERBOSE = process.env.CONFORMANCE_VERBOSE === '1';

/** A port nothing listens on right now. */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Starts the fixture server; its output goes to `logFile`. */
function startServer(port, logFile) {
  const log = fs.openSync(logFile, 'w');
  const child = spawn(process.execPath, [SERVER_ENTRY], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  return child;
}

/** Resolves once the endpoint answers HTTP (any status), rejects if the server dies or is slow. */
async function waitForServer(child, url) {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(
        `the conformance server exited early (${child.exitCode ?? child.signalCode})`,
      );
    try {
      await fetch(url, { method: 'GET', signal: AbortSignal.timeout(1_000) });
      return;
    } catch {
      await sleep(200);
    }
  }
  throw new Error(`the conformance server did not answer on ${url} within ${START_TIMEOUT_MS} ms`);
}

/** Stops the server: SIGTERM (graceful Nest shutdown), then SIGKILL after 5 s. */
async function stopServer(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** Runs the suite for one requirement set; resolves with its exit code and output. */
function runSuite(requirements, url, outputDir) {
  return runConformance(['server', '--url', url, '--requirements', requirements, '-o', outputDir]);
}

/** Runs one named scenario (an extension's); resolves with its exit code and output. */
function runScenario(scenario, url, outputDir) {
  return runConformance(['server', '--url', url, '--scenario', scenario, '-o', outputDir]);
}

/** The server scenarios of an extension, as `conformance list` names them (`prefix*`). */
async function extensionScenarios(prefix) {
  const { output } = await runConformance(['list']);
  const names = [...output.matchAll(/^\s+- (\S+) \[extension\]/gm)].map((m) => m[1]);
  return names.filter((name) => name.startsWith(prefix));
}

/** Runs the conformance bin with `argv`; resolves with its exit code and output. */
function runConformance(argv) {
  return new Promise((resolve) => {
    // The bin is an ES module with a `#!/usr/bin/env node` line: run it with this Node (24),
    // not whatever `node` is first on PATH.
    const bin = fs.realpathSync(SUITE_BIN);
    const args = [bin, ...argv];
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (chunk) => {
      output += chunk;
      if (VERBOSE) process.stdout.write(chunk);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, RUN_TIMEOUT_MS);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: timedOut ? 'timeout' : (code ?? signal), output });
    });
  });
}

/** The SUMMARY section of the suite's output. */
function summaryOf(output) {
  const start = output.indexOf('=== SUMMARY ===');
  return start === -1 ? output.slice(-4_000) : output.slice(start);
}

/** Names of the scenarios the suite ran without scoring them (its "Not scored for" list). */
function unscoredOf(output) {
  const start = output.indexOf('Not scored for');
  if (start === -1) return new Set();
  return new Set([...output.slice(start).matchAll(/^\s+[✓✗] (\S+) \(/gmu)].map((m) => m[1]));
}

/**
 * One line per FAILURE and WARNING check of the scored scenarios, read from the suite's
 * checks.json files; failures of scenarios the suite does not score are only counted.
 */
function notableChecks(outputDir, unscored) {
  const lines = [];
  const unscoredFailures = new Map();
  if (!fs.existsSync(outputDir)) return lines;
  for (const dir of fs.readdirSync(outputDir).sort()) {
    const file = path.join(outputDir, dir, 'checks.json');
    if (!fs.existsSync(file)) continue;
    const scenario = dir.replace(/^server-/, '').replace(/-\d{4}-\d{2}-\d{2}T.*$/, '');
    for (const check of JSON.parse(fs.readFileSync(file, 'utf8'))) {
      if (check.status !== 'FAILURE' && check.status !== 'WARNING') continue;
      if (unscored.has(scenario)) {
        if (check.status === 'FAILURE')
          unscoredFailures.set(scenario, (unscoredFailures.get(scenario) ?? 0) + 1);
        continue;
      }
      lines.push(
        `  ${check.status} ${scenario} / ${check.id}: ${check.errorMessage ?? ''}`.slice(0, 300),
      );
    }
  }
  for (const [scenario, count] of unscoredFailures)
    lines.push(`  (not scored) ${scenario}: ${count} failing check(s)`);
  return lines;
}

async function main() {
  if (!fs.existsSync(SERVER_ENTRY)) {
    console.error(`${path.relative(ROOT, SERVER_ENTRY)} is missing: run \`npm run build\` first.`);
    return 1;
  }
  const outputRoot =
    process.env.CONFORMANCE_OUTPUT_DIR ??
    fs.mkdtempSync(path.join(os.tmpdir(), 'rampart-conformance-'));
  fs.mkdirSync(outputRoot, { recursive: true });
  const port = await freePort();
  // The suite's DNS-rebinding scenario derives the "valid" Host header from this URL, which
  // must therefore name a loopback host (localhost, 127.0.0.1 or [::1]).
  const url = `http://127.0.0.1:${port}/mcp`;
  const serverLog = path.join(outputRoot, 'server.log');
  let server;
  const stopOnSignal = (signal) => {
    void stopServer(server).finally(() => process.exit(signal === 'SIGINT' ? 130 : 143));
  };
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  let failed = false;
  try {
    server = startServer(port, serverLog);
    await waitForServer(server, url);
    console.log(`conformance server on ${url} (log: ${serverLog})`);
    for (const requirements of REQUIREMENTS) {
      const outputDir = path.join(outputRoot, requirements);
      console.log(`\n===== MCP conformance, requirements ${requirements} =====`);
      const { code, output } = await runSuite(requirements, url, outputDir);
      if (!VERBOSE) console.log(summaryOf(output));
      const notable = notableChecks(outputDir, unscoredOf(output));
      if (notable.length > 0) console.log(`Checks that failed or warned:\n${notable.join('\n')}`);
      if (code === 0) console.log(`requirements ${requirements}: PASS (checks in ${outputDir})`);
      else {
        failed = true;
        console.log(
          code === 'timeout'
            ? `requirements ${requirements}: FAIL, timed out after ${RUN_TIMEOUT_MS} ms`
            : `requirements ${requirements}: FAIL (exit ${code}; checks in ${outputDir})`,
        );
      }
    }
    const tasks = await extensionScenarios('tasks-');
    console.log(
      `\n===== MCP conformance, extension ${TASKS_EXTENSION}: ${tasks.length} scenarios =====`,
    );
    if (tasks.length === 0) {
      failed = true;
      console.log(`extension ${TASKS_EXTENSION}: FAIL, the suite lists no tasks-* scenario`);
    }
    for (const scenario of tasks) {
      const outputDir = path.join(outputRoot, 'extension-tasks');
      const { code, output } = await runScenario(scenario, url, outputDir);
      const line = /^Passed: .*$/m.exec(output)?.[0] ?? '(no result line)';
      const failures = output
        .split('\n')
        .filter((l) => /\bFAILURE\b/.test(l))
        .map((l) => `  ${l.trim()}`.slice(0, 300));
      if (code === 0 && failures.length === 0) console.log(`${scenario}: PASS (${line})`);
      else {
        failed = true;
        console.log(
          code === 'timeout'
            ? `${scenario}: FAIL, timed out after ${RUN_TIMEOUT_MS} ms`
            : `${scenario}: FAIL (exit ${code}; ${line})\n${failures.join('\n')}`,
        );
      }
    }
  } catch (error) {
    failed = true;
    console.error(
      `conformance run failed: ${error instanceof Error ? error.message : String(error)}`,
    );
  } finally {
    await stopServer(server);
  }
  if (failed && fs.existsSync(serverLog)) {
    const log = fs.readFileSync(serverLog, 'utf8');
    console.log(`\n----- last lines of the server log -----\n${log.slice(-4_000)}`);
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
