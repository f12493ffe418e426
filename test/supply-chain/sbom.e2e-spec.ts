import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

interface Component {
  group?: string;
  name: string;
  version: string;
  purl: string;
}
interface Bom {
  bomFormat: string;
  specVersion: string;
  metadata: { component: { name: string } };
  components: Component[];
}

describe('npm run sbom', () => {
  let dir: string;
  let bom: Bom;
  let names: Set<string>;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rampart-sbom-test-'));
    const out = join(dir, 'sbom.cdx.json');
    const run = spawnSync(process.execPath, [join(ROOT, 'scripts/sbom.js'), out], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    if (run.status !== 0) throw new Error(`scripts/sbom.js failed:\n${run.stderr}${run.stdout}`);
    bom = JSON.parse(readFileSync(out, 'utf8')) as Bom;
    names = new Set(bom.components.map((c) => (c.group ? `${c.group}/${c.name}` : c.name)));
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a CycloneDX document for rampart', () => {
    expect(bom.bomFormat).toBe('CycloneDX');
    expect(bom.specVersion).toMatch(/^1\.\d+$/);
    expect(bom.metadata.component.name).toBe('rampart');
  });

  it('lists the production dependencies, including those a dev dependency also reaches', () => {
    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { version?: string }>;
    };
    // Shared with dev dependencies (npm sbom --omit dev drops these), and plain ones.
    for (const name of ['@nestjs/core', '@nestjs/common', 'rxjs', 'express', 'pg', 'ioredis']) {
      expect(names).toContain(name);
      const component = bom.components.find((c) =>
        c.purl.startsWith(`pkg:npm/${name.replace('@', '%40')}@`),
      );
      expect(component?.version).toBe(lock.packages[`node_modules/${name}`].version);
    }
    expect(bom.components.map((c) => c.purl)).toContain('pkg:npm/%40rampart/core@0.1.0');
  });

  it('leaves out what only development uses', () => {
    for (const name of ['jest', 'ts-jest', 'prettier', 'oxlint', 'node', 'autocannon'])
      expect(names).not.toContain(name);
  });

  it('lists what @rampart/schematics runs on, and not the optional peers that only development installs', () => {
    // It edits modules with @nestjs/schematics' utilities, on TypeScript's compiler API (a peer).
    for (const name of ['@angular-devkit/schematics', '@nestjs/schematics', 'typescript'])
      expect(names).toContain(name);
    for (const name of ['chokidar', 'prettier']) expect(names).not.toContain(name);
  });
});
