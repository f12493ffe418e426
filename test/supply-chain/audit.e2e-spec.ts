import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const SCRIPT = resolve(__dirname, '../../scripts/audit.js');

/** Runs the CI audit report over a saved `npm audit --omit=dev --json` output. */
function audit(report: unknown): { code: number | null; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'rampart-audit-test-'));
  try {
    const file = join(dir, 'report.json');
    writeFileSync(file, typeof report === 'string' ? report : JSON.stringify(report));
    const run = spawnSync(process.execPath, [SCRIPT, '--from', file], { encoding: 'utf8' });
    return { code: run.status, out: run.stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const advisory = (name: string, severity: string) => ({
  name,
  severity,
  isDirect: false,
  range: '<1.2.3',
  via: [
    { title: `${name} is unsafe`, url: `https://github.com/advisories/GHSA-${name}`, severity },
  ],
});

const report = (...vulns: ReturnType<typeof advisory>[]) => ({
  auditReportVersion: 2,
  vulnerabilities: Object.fromEntries(vulns.map((v) => [v.name, v])),
  metadata: { dependencies: { prod: 216 } },
});

describe('the CI audit of production dependencies', () => {
  it('passes and says so when there is no advisory', () => {
    expect(audit(report())).toEqual({
      code: 0,
      out: 'npm audit --omit=dev: no advisories in 216 production dependencies\n',
    });
  });

  it('reports moderate and low advisories without failing', () => {
    const { code, out } = audit(
      report(advisory('left-pad', 'moderate'), advisory('is-odd', 'low')),
    );
    expect(code).toBe(0);
    expect(out.split('\n')).toEqual([
      'npm audit --omit=dev: 1 moderate, 1 low in 216 production dependencies',
      '  moderate left-pad <1.2.3: left-pad is unsafe (https://github.com/advisories/GHSA-left-pad)',
      '  low      is-odd <1.2.3: is-odd is unsafe (https://github.com/advisories/GHSA-is-odd)',
      'None is high or critical: reported, not failing the build.',
      '',
    ]);
  });

  it.each(['high', 'critical'])('fails on a %s advisory', (severity) => {
    const { code, out } = audit(
      report(advisory('left-pad', 'moderate'), advisory('evil', severity)),
    );
    expect(code).toBe(1);
    expect(out).toContain(`  ${severity.padEnd(8)} evil <1.2.3: evil is unsafe`);
    expect(out).toContain('High or critical advisories against production dependencies: failing');
  });

  it('says the audit was not done, without failing, when the registry cannot answer', () => {
    const { code, out } = audit({
      message:
        '405 Method Not Allowed - POST https://registry.example/-/npm/v1/security/advisories/bulk',
      error: { summary: '', detail: '' },
    });
    expect(code).toBe(0);
    expect(out).toBe(
      "npm audit --omit=dev: not checked: the registry's audit endpoint failed (405 Method Not Allowed - POST https://registry.example/-/npm/v1/security/advisories/bulk)\n",
    );
  });

  it('says the audit was not done when npm printed no report', () => {
    expect(audit('')).toEqual({
      code: 0,
      out: 'npm audit --omit=dev: not checked: npm gave no report\n',
    });
  });
});
