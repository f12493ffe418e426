import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { StdioLogger } from '@rampart/core';
import { Logger as PinoLogger } from 'nestjs-pino';
import { AppModule } from './app.module';

async function bootstrap(): Promise<void> {
  if (process.argv.includes('--stdio')) {
    // stdout carries the protocol only: every log line goes to stderr.
    const app = await NestFactory.createApplicationContext(AppModule.forRoot({ stdio: true }), {
      logger: new StdioLogger(),
      bufferLogs: true,
    });
    // Nest's own lines (and the audit trail) as JSON through pino, on stderr like the call lines.
    app.useLogger(app.get(PinoLogger));
    app.enableShutdownHooks();
    return;
  }
  const app = await NestFactory.create(AppModule.forRoot(), { bufferLogs: true });
  // Nest's own lines (and the audit trail) as JSON through pino, like the call lines.
  app.useLogger(app.get(PinoLogger));
  app.enableShutdownHooks();
  const port = Number(process.env.PORT ?? 3000);
  const host = process.env.HOST ?? '127.0.0.1';
  await app.listen(port, host);
  // The bound port, not PORT: PORT=0 picks a free one.
  const { port: bound } = app.getHttpServer().address() as { port: number };
  new Logger('WebScrape').log(
    `MCP endpoint on http://${host.includes(':') ? `[${host}]` : host}:${bound}/mcp`,
  );
}

void bootstrap();
