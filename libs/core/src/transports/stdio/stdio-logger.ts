import { ConsoleLogger, type LogLevel } from '@nestjs/common';

/**
 * A Nest logger that writes every level to stderr, so stdout carries nothing but the MCP
 * protocol when a server runs on stdio.
 *
 * @example
 * const app = await NestFactory.createApplicationContext(AppModule, { logger: new StdioLogger() });
 */
export class StdioLogger extends ConsoleLogger {
  protected override printMessages(
    messages: unknown[],
    context?: string,
    logLevel?: LogLevel,
    _writeStreamType?: 'stdout' | 'stderr',
    errorStack?: unknown,
  ): void {
    super.printMessages(messages, context, logLevel, 'stderr', errorStack);
  }
}
