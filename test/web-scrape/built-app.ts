import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { stripVTControlCharacters } from 'node:util';

/** The repository root. */
export const REPO_ROOT = resolve(__dirname, '../..');

/**
 * Path of the built web-scrape server. These specs run the build as a user would, and do not
 * build it themselves (too slow for `npm test`): CI builds first, and so must you.
 */
export function builtWebScrape(): string {
  const main = resolve(REPO_ROOT, 'apps/web-scrape/dist/main.js');
  if (!existsSync(main))
    throw new Error(
      `${main} is missing: run \`npm run build\` before these tests (they exercise the built web-scrape app).`,
    );
  return main;
}

/** Removes ANSI colour codes (Nest colours its log lines). */
export const stripAnsi = (s: string): string => stripVTControlCharacters(s);

/** Resolves once `check()` holds, polling every 20 ms; gives up (without throwing) after `timeoutMs`. */
export async function waitFor(check: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}
