import { Logger, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { StdioLogger } from '@rampart/core';
import { ObservabilityEndpointsModule } from '@rampart/observability';
import { Logger as PinoLogger } from 'nestjs-pino';
import { resolve } from 'node:path';
import {
  AppModule,
  CLOSE_MARGIN_MS,
  DEFAULT_GRACE_PERIOD_MS,
  describeApprovals,
  describeEgress,
  describeSecurity,
  securityFromEnv,
  type WebScrapeOptions,
} from './app.module';
import { InvalidSettingError, isInvalidSettingError } from './invalid-setting.error';
import { readSettings, type WebScrapeSettings } from './settings';
import { endpointUrl, startupBanner } from './startup-banner';

const MCP_PATH = '/mcp';
const SIGNALS = ['SIGINT', 'SIGTERM'];

async function bootstrap(): Promise<void> {
  // Every setting is checked before anything starts: a bad one is one line and exit code 1.
  const settings = readSettings(process.env, process.argv.slice(2));
  if (settings.stdio) return serveStdio(settings);
  return serveHttp(settings);
}

async function serveStdio(settings: WebScrapeSettings): Promise<void> {
  // stdout carries the protocol only: every log line goes to stderr.
  const app = await NestFactory.createApplicationContext(
    AppModule.forRoot({ ...fromSettings(settings), stdio: true }),
    { logger: new StdioLogger(), bufferLogs: true },
  );
  // Nest's own lines (and the audit trail) as JSON through pino, on stderr like the call lines.
  app.useLogger(app.get(PinoLogger));
  app.enableShutdownHooks();
}

async function serveHttp(settings: WebScrapeSettings): Promise<void> {
  const gracePeriodMs = DEFAULT_GRACE_PERIOD_MS;
  const security = securityFromEnv(process.env);
  const app = await NestFactory.create(
    AppModule.forRoot({
      ...fromSettings(settings),
      gracePeriodMs,
      security: security ?? false,
      // With OPS_PORT, the operational endpoints are the operations app's, below.
      operationsEndpoints: settings.opsPort === undefined,
    }),
    {
      // Nest's own lines wait until the server listens: a port it cannot have is one line, and
      // nothing has said "started" before it.
      bufferLogs: true,
      autoFlushLogs: false,
      abortOnError: false,
      // At shutdown, once the calls in flight have drained, the connections still open (the SSE
      // streams of 2025-era sessions, `subscriptions/listen` streams) are closed, so the server
      // stops instead of waiting for its clients to hang up.
      forceCloseConnections: true,
    },
  );
  // Nest's own lines (and the audit trail) as JSON through pino, like the call lines.
  app.useLogger(app.get(PinoLogger));
  try {
    await app.listen(settings.port, settings.host);
  } catch (error) {
    throw listenError(error, 'PORT', settings.host, settings.port) ?? error;
  }
  // Listening only once the MCP port does, so that readiness never says yes before it.
  const operations =
    settings.opsPort === undefined ? undefined : await serveOperations(app, settings);
  app.flushLogs();
  stopOnSignals(app, gracePeriodMs);

  // The bound port, not PORT: PORT=0 picks a free one.
  const { port } = app.getHttpServer().address() as { port: number };
  new Logger('WebScrape').log(`MCP endpoint on ${endpointUrl(settings.host, port, MCP_PATH)}`);
  if (operations) {
    const opsPort = (operations.getHttpServer().address() as { port: number }).port;
    new Logger('WebScrape').log(
      `Operational endpoints (/health/live, /health/ready, /metrics, /slo) without authentication on ${endpointUrl(settings.host, opsPort, '')}`,
    );
  }
  process.stderr.write(
    startupBanner({
      host: settings.host,
      port,
      path: MCP_PATH,
      nodePath: process.execPath,
      mainPath: resolve(__filename),
      gracePeriodMs,
      authentication: describeSecurity(security),
      egress: describeEgress(egressOf(settings)),
      approvals: describeApprovals(!!security, settings),
    }),
  );
}

/** The app's options that come from its settings, the same over HTTP and stdio. */
function fromSettings(settings: WebScrapeSettings): WebScrapeOptions {
  return {
    redisUrl: settings.redisUrl,
    logLevel: settings.logLevel,
    egress: egressOf(settings),
    resources: { keys: settings.resourceLinkKeys },
    approvals: {
      keys: settings.approvalKeys,
      approverScope: settings.approverScope,
      webhookUrl: settings.approvalsWebhookUrl,
    },
    catalog: settings.catalog === 'off' ? false : { discovery: settings.catalog },
    scrapeCacheTtlMs: settings.scrapeCacheTtlMs,
  };
}

const egressOf = (settings: WebScrapeSettings) => ({
  allow: settings.egressAllow,
  ports: settings.egressPorts,
});

/**
 * `OPS_PORT`: a second Nest application, on a port of its own, serves the MCP app's operational
 * endpoints from its instances (its registry, readiness, SLO tracker) and without guards, so
 * that probes and scrapers that cannot send a token reach them. Keep that port off the public
 * load balancer.
 */
async function serveOperations(
  app: INestApplication,
  settings: WebScrapeSettings,
): Promise<INestApplication> {
  const operations = await NestFactory.create(ObservabilityEndpointsModule.forApp(app), {
    bufferLogs: true,
    autoFlushLogs: false,
    abortOnError: false,
    forceCloseConnections: true,
  });
  operations.useLogger(app.get(PinoLogger));
  try {
    await operations.listen(settings.opsPort!, settings.host);
  } catch (error) {
    throw listenError(error, 'OPS_PORT', settings.host, settings.opsPort!) ?? error;
  }
  operations.flushLogs();
  // Closed once the MCP server has (after the drain), so that probes get answers throughout it.
  app.getHttpServer().once('close', () => void operations.close().catch(() => undefined));
  return operations;
}

/** A failed `listen` as the setting to change, or `undefined` when no setting is at fault. */
function listenError(
  error: unknown,
  setting: 'PORT' | 'OPS_PORT',
  host: string,
  port: number,
): Error | undefined {
  switch ((error as NodeJS.ErrnoException | undefined)?.code) {
    case 'EADDRINUSE':
      return new InvalidSettingError(
        setting,
        `port ${port} on ${host} is in use: stop what listens there, or set ${setting} to a free port (${setting}=0 picks one)`,
      );
    case 'EACCES':
      return new InvalidSettingError(
        setting,
        `not allowed to listen on port ${port}: ports below 1024 need privileges; set ${setting} to 1024 or above`,
      );
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new InvalidSettingError(
        'HOST',
        `HOST=${host} is not an address of this machine: use e.g. 127.0.0.1 (this machine only) or 0.0.0.0 (every interface)`,
      );
    default:
      return undefined;
  }
}

/**
 * SIGINT (Ctrl-C) and SIGTERM close the app once, through Nest's shutdown hooks: readiness turns
 * 503, calls in flight get `gracePeriodMs` to finish, the connections still open are closed, and
 * the process ends with the signal. This says so on the terminal and, should closing take longer
 * than the grace period and a margin, exits anyway with code 1. Nest ignores the signals that
 * arrive while it closes (`npm start` may deliver one Ctrl-C twice).
 */
function stopOnSignals(app: INestApplication, gracePeriodMs: number): void {
  app.enableShutdownHooks(SIGNALS);
  const onSignal = (signal: NodeJS.Signals): void => {
    for (const s of SIGNALS) process.removeListener(s, onSignal);
    process.stderr.write(
      `web-scrape: stopping on ${signal}; calls in flight get up to ${gracePeriodMs / 1000} s to finish\n`,
    );
    const limitMs = gracePeriodMs + CLOSE_MARGIN_MS;
    setTimeout(() => {
      process.stderr.write(
        `web-scrape: not stopped ${limitMs / 1000} s after ${signal}; exiting\n`,
      );
      process.exit(1);
    }, limitMs).unref();
  };
  for (const s of SIGNALS) process.on(s, onSignal);
}

bootstrap().catch((error: unknown) => {
  if (isInvalidSettingError(error)) {
    process.stderr.write(`web-scrape: ${error.message}\n`);
  } else {
    // What Nest logged on the way (e.g. which provider failed), then the error itself.
    Logger.flush();
    process.stderr.write(
      `web-scrape did not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
  }
  process.exit(1);
});
