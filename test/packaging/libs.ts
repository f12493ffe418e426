import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository's root. */
export const REPO_ROOT = resolve(__dirname, '../..');

/** What the specs read from a lib's package.json. */
export interface LibManifest {
  name: string;
  version: string;
  type?: string;
  main?: string;
  types?: string;
  exports?: unknown;
  files?: string[];
  /** Commands the package installs: name → file in the package. */
  bin?: Record<string, string>;
  engines?: { node?: string };
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

/** A publishable lib of the workspace: `libs/<dir>`, its manifest, and where it lives. */
export interface Lib {
  dir: string;
  root: string;
  manifest: LibManifest;
}

/** Every lib of the npm workspaces (`libs/*`), read from disk. */
export function workspaceLibs(): Lib[] {
  const libsDir = join(REPO_ROOT, 'libs');
  return readdirSync(libsDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => {
      const root = join(libsDir, entry.name);
      const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as LibManifest;
      return { dir: entry.name, root, manifest };
    });
}

/** The package a bare import specifier names (`@scope/name/deep` → `@scope/name`). */
export function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Whether a specifier is a bare package name rather than a relative path or a Node builtin. */
export function isBare(specifier: string, builtins: readonly string[]): boolean {
  return (
    !specifier.startsWith('.') &&
    !specifier.startsWith('/') &&
    !specifier.startsWith('node:') &&
    !builtins.includes(packageOf(specifier))
  );
}

/** The lib's optional peers (`peerDependenciesMeta[name].optional`). */
export function optionalPeers(manifest: LibManifest): string[] {
  return Object.entries(manifest.peerDependenciesMeta ?? {})
    .filter(([, meta]) => meta.optional)
    .map(([name]) => name);
}
