import type { ModulesContainer } from '@nestjs/core';
import { MCP_MODULE_OPTIONS, type McpModuleOptions } from '@rampart/core';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { LoggingOptions } from '../interfaces/observability-module-options.interface';
import { DEFAULT_CENSOR } from '../observability.constants';
import {
  DEFAULT_LOG_REDACT_FIELDS,
  DEFAULT_LOG_REDACT_PATHS,
  queryPaths,
  redactFields,
} from './log-redaction';
import { TurnBatchedDestination } from './turn-batched.destination';

/** Whether any `McpModule.forRoot()` of the app serves on stdio. */
export function anyStdioServer(modules: ModulesContainer): boolean {
  for (const module of modules.values()) {
    const options = module.providers.get(MCP_MODULE_OPTIONS)?.instance as
      McpModuleOptions | undefined;
    if (options?.stdio) return true;
  }
  return false;
}

/**
 * A destination that picks stdout or stderr when the first line is written, once every module
 * (and so every `McpModule` option) is known: stderr as soon as a server runs on stdio.
 *
 * The lines of one event-loop turn go out in one synchronous write when the turn ends
 * ({@link TurnBatchedDestination}). Pass a `destination` to choose otherwise.
 */
class StdDestination implements DestinationStream {
  private target?: DestinationStream;

  constructor(
    private readonly fixed: 'stdout' | 'stderr' | undefined,
    private readonly modules: ModulesContainer | undefined,
  ) {}

  write(line: string): void {
    (this.target ??= this.open()).write(line);
  }

  private open(): DestinationStream {
    const stderr =
      this.fixed === 'stderr' ||
      (this.fixed === undefined && !!this.modules && anyStdioServer(this.modules));
    return new TurnBatchedDestination(pino.destination({ fd: stderr ? 2 : 1, sync: true }));
  }
}

/**
 * Builds the pino logger of the per-call lines (and of nestjs-pino's `LoggerModule`), with the
 * credentials of `redactFields` and `redactPaths` hidden from every line.
 *
 * @example
 * ```ts
 * const logger = createCallLogger({ level: 'info', destination: 'stderr' });
 * ```
 */
export function createCallLogger(options: LoggingOptions, modules?: ModulesContainer): Logger {
  const destination = options.destination;
  const stream =
    destination === undefined || destination === 'stdout' || destination === 'stderr'
      ? new StdDestination(destination, modules)
      : destination;
  const fields = new Set(options.redactFields ?? DEFAULT_LOG_REDACT_FIELDS);
  const paths = [...(options.redactPaths ?? DEFAULT_LOG_REDACT_PATHS), ...queryPaths(fields)];
  return pino(
    {
      level: options.level ?? 'info',
      ...(paths.length > 0 && { redact: { paths, censor: DEFAULT_CENSOR } }),
      ...(fields.size > 0 && { formatters: { log: redactFields(fields) } }),
    },
    stream,
  );
}
