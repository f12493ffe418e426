#!/usr/bin/env node
'use strict';
/**
 * Writes a CycloneDX SBOM of what Rampart ships: the production dependencies of the root and of
 * every lib, made by npm's own `npm sbom`:
 *
 *   npm run sbom                  # writes sbom.cdx.json
 *   node scripts/sbom.js out.json
 *
 * `npm sbom --omit dev` cannot be used as it is: it drops every production package that a dev
 * dependency also reaches (npm/cli#7909), here @nestjs/core, @nestjs/common, rxjs, express and
 * more. And a whole-tree `npm sbom` refuses the dev tree's peer mismatches (ESBOMPROBLEMS). So
 * the script gives `npm sbom --package-lock-only` the production tree alone, in a temporary
 * directory: package.json without devDependencies, each lib's package.json, and package-lock.json
 * without the entries it marks `dev`. Nothing is installed and the network is not used.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const out = path.resolve(process.argv[2] ?? path.join(ROOT, 'sbom.cdx.json'));

const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));
const writeJson = (file, value) => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
};

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rampart-sbom-'));
// npm names the SBOM's root component after its directory.
const dir = path.join(tmp, readJson(path.join(ROOT, 'package.json')).name);
try {
  const { devDependencies: _dev, ...pkg } = readJson(path.join(ROOT, 'package.json'));
  writeJson(path.join(dir, 'package.json'), pkg);

  const lock = readJson(path.join(ROOT, 'package-lock.json'));
  const packages = {};
  for (const [location, entry] of Object.entries(lock.packages)) {
    // `devOptional`: installed here for development, and an *optional* edge in production (today
    // the optional peers of @nestjs/schematics and @angular-devkit/core, which @rampart/schematics
    // depends on: prettier, chokidar). A consumer's install does not bring them.
    if (entry.dev || entry.devOptional) continue;
    if (location === '') {
      const { devDependencies: _rootDev, ...root } = entry;
      packages[location] = root;
      continue;
    }
    packages[location] = entry;
    // A workspace (e.g. libs/core): its package.json, for npm to read the lib's own edges.
    if (!location.includes('node_modules/'))
      writeJson(
        path.join(dir, location, 'package.json'),
        readJson(path.join(ROOT, location, 'package.json')),
      );
  }
  writeJson(path.join(dir, 'package-lock.json'), { ...lock, packages });

  const npm = process.env.npm_execpath
    ? [process.execPath, [process.env.npm_execpath]]
    : ['npm', []];
  const result = spawnSync(
    npm[0],
    [...npm[1], 'sbom', '--sbom-format', 'cyclonedx', '--package-lock-only'],
    { cwd: dir, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  if (result.status !== 0) {
    process.stderr.write(result.stderr || result.stdout || String(result.error));
    process.exit(result.status ?? 1);
  }
  const sbom = JSON.parse(result.stdout);
  fs.writeFileSync(out, `${JSON.stringify(sbom, null, 2)}\n`);
  process.stdout.write(
    `${path.relative(process.cwd(), out) || out}: CycloneDX ${sbom.specVersion}, ${sbom.components.length} components (production dependencies)\n`,
  );
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
