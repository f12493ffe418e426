// Copies what tsc does not emit into dist/: the collection, each schematic's schema.json, and
// its templates (files/**, kept out of tsc, the linters and Jest by their `.template` suffix).
// Run by the root `npm run build` and this package's own `build` (and so by `npm pack`).
const { cpSync, existsSync, readdirSync, rmSync, statSync } = require('node:fs');
const { join } = require('node:path');

const src = join(__dirname, '..', 'src');
const dist = join(__dirname, '..', 'dist');

cpSync(join(src, 'collection.json'), join(dist, 'collection.json'));
for (const name of readdirSync(src)) {
  const dir = join(src, name);
  if (!statSync(dir).isDirectory()) continue;
  if (existsSync(join(dir, 'schema.json')))
    cpSync(join(dir, 'schema.json'), join(dist, name, 'schema.json'));
  // Replaced, not merged: a template deleted from src/ must not linger in dist/.
  rmSync(join(dist, name, 'files'), { recursive: true, force: true });
  if (existsSync(join(dir, 'files')))
    cpSync(join(dir, 'files'), join(dist, name, 'files'), { recursive: true });
}
