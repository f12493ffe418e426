import { NestFactory } from '@nestjs/core';
import { StdioLogger } from '@rampart/core';
import { AppModule } from './app.module';

async function bootstrap(): Promise<void> {
  if (process.argv.includes('--stdio')) {
    // stdout carries the protocol only: every log line goes to stderr.
    const app = await NestFactory.createApplicationContext(AppModule.forRoot({ stdio: true }), {
      logger: new StdioLogger(),
    });
    app.enableShutdownHooks();
    return;
  }
  const app = await NestFactory.create(AppModule.forRoot());
  app.enableShutdownHooks();
  const port = Number(process.env.PORT ?? 3000);
  const host = process.env.HOST ?? '127.0.0.1';
  await app.listen(port, host);
  console.log(`web-scrape MCP server on http://${host}:${port}/mcp`);
}

void bootstrap();
