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

/** The environment of a spawned app: its log lines on, whatever the test run's LOG_LEVEL. */
export const appEnv = (extra: Record<string, string> = {}): Record<string, string> => ({
  ...(process.env as Record<string, string>),
  LOG_LEVEL: 'info',
  ...extra,
});

/** One JSON log line of the app (pino), by Nest context (or call-line field) and message. */
export interface LogLine {
  level: number;
  context?: string;
  msg: string;
  [field: string]: unknown;
}

/** The JSON log lines in an output; other lines are ignored. */
export function logLines(output: string): LogLine[] {
  const lines: LogLine[] = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const parsed = JSON.parse(line) as Partial<LogLine>;
      if (typeof parsed.msg === 'string' && typeof parsed.level === 'number')
        lines.push(parsed as LogLine);
    } catch {
      // not a log line
    }
  }
  return lines;
}

/** Whether the output has a log line of `context` whose message starts with `msg`. */
export const hasLog = (output: string, context: string, msg: string, level?: number): boolean =>
  logLines(output).some(
    (l) =>
      l.context === context && l.msg.startsWith(msg) && (level === undefined || l.level === level),
  );
