import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { StdioLogger } from '@rampart/core';
import { AppModule } from './app.module';

async function bootstrap(): Promise<void> {
  if (process.argv.includes('--stdio')) {
    // stdout carries the protocol only: StdioLogger writes every log line to stderr.
    const app = await NestFactory.createApplicationContext(AppModule.forRoot({ stdio: true }), {
      logger: new StdioLogger(),
    });
    app.enableShutdownHooks();
    return;
  }
  const app = await NestFactory.create(AppModule.forRoot({ stdio: false }));
  app.enableShutdownHooks();
  await app.listen(Number(process.env.PORT ?? 3000), process.env.HOST ?? '127.0.0.1');
  new Logger('Main').log(`MCP endpoint on ${await app.getUrl()}/mcp`);
}

void bootstrap();
