import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { THIRD_PARTY_VERSIONS, rampartVersion } from './versions';

const ROOT = join(__dirname, '..', '..', '..', '..');
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

describe('the versions a generated server depends on', () => {
  it('are those the repository pins (bump them together)', () => {
    const root = readJson(join(ROOT, 'package.json'));
    const pinned = { ...root.dependencies, ...root.devDependencies };
    for (const [name, version] of Object.entries(THIRD_PARTY_VERSIONS))
      expect([name, pinned[name]]).toEqual([name, version]);
  });

  it('take @rampart/* at the version of every Rampart package', () => {
    const libs = readdirSync(join(ROOT, 'libs'));
    expect(libs).toContain('schematics');
    for (const lib of libs)
      expect([lib, readJson(join(ROOT, 'libs', lib, 'package.json')).version]).toEqual([
        lib,
        rampartVersion(),
      ]);
  });
});
