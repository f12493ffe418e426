#!/usr/bin/env node
'use strict';
/**
 * `npm audit --omit=dev`, as CI reports it (docs/decisions.md, "Supply chain"):
 *
 *   node scripts/audit.js                 # asks the registry
 *   node scripts/audit.js --from r.json   # reads a saved `npm audit --omit=dev --json` report
 *
 * Prints one line per advisory against a production dependency and a summary by severity. Exits
 * 1 when an advisory is high or critical; lower ones are reported and pass. When the registry
 * cannot be asked (offline, or a mirror without the audit endpoint) it says so and exits 0: the
 * audit is a report on the registry's advisories, not a build step that the network can break.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');

const SEVERITIES = ['critical', 'high', 'moderate', 'low', 'info'];
const FAILING = new Set(['critical', 'high']);

/** The report's text lines and whether it fails, from `npm audit --json` output. */
function assess(report) {
  if (!report || typeof report !== 'object')
    return { lines: ['npm audit --omit=dev: not checked: npm gave no report'], fails: false };
  if (!report.vulnerabilities) {
    const why = report.message || report.error?.summary || 'no report';
    return {
      lines: [`npm audit --omit=dev: not checked: the registry's audit endpoint failed (${why})`],
      fails: false,
    };
  }
  const lines = [];
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, 0]));
  const entries = Object.values(report.vulnerabilities).sort(
    (a, b) => SEVERITIES.indexOf(a.severity) - SEVERITIES.indexOf(b.severity),
  );
  for (const v of entries) {
    counts[v.severity] = (counts[v.severity] ?? 0) + 1;
    const advisories = (v.via ?? []).filter((via) => typeof via === 'object');
    const via = (v.via ?? []).filter((x) => typeof x === 'string');
    const what = advisories.length
      ? advisories.map((a) => `${a.title} (${a.url})`).join('; ')
      : `through ${via.join(', ')}`;
    lines.push(`  ${v.severity.padEnd(8)} ${v.name} ${v.range}: ${what}`);
  }
  const total = entries.length;
  const deps = report.metadata?.dependencies?.prod;
  const summary = total
    ? SEVERITIES.filter((s) => counts[s])
        .map((s) => `${counts[s]} ${s}`)
        .join(', ')
    : 'no advisories';
  lines.unshift(
    `npm audit --omit=dev: ${summary}${deps !== undefined ? ` in ${deps} production dependencies` : ''}`,
  );
  const fails = entries.some((v) => FAILING.has(v.severity));
  if (fails)
    lines.push('High or critical advisories against production dependencies: failing the build.');
  else if (total) lines.push('None is high or critical: reported, not failing the build.');
  return { lines, fails };
}

function run() {
  const from = process.argv.indexOf('--from');
  let text;
  if (from !== -1) text = fs.readFileSync(process.argv[from + 1], 'utf8');
  else {
    const npm = process.env.npm_execpath
      ? [process.execPath, [process.env.npm_execpath]]
      : ['npm', []];
    const result = spawnSync(npm[0], [...npm[1], 'audit', '--omit=dev', '--json'], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    text = result.stdout;
  }
  let report;
  try {
    report = JSON.parse(text);
  } catch {
    report = undefined;
  }
  const { lines, fails } = assess(report);
  process.stdout.write(`${lines.join('\n')}\n`);
  process.exit(fails ? 1 : 0);
}

if (require.main === module) run();
module.exports = { assess };
