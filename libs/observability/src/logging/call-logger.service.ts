import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { McpServers } from '@rampart/core';
import type { Logger } from 'pino';
import type { LoggingOptions } from '../interfaces/observability-module-options.interface';
import type { CallRecord } from '../recording/call-record.interface';
import type { CallRecorder } from '../recording/call-recorder';
import {
  checkMaxArgumentsChars,
  DEFAULT_MAX_ARGUMENTS_CHARS,
  recordedArguments,
  type ArgumentsTruncation,
} from '../redaction/bounded-arguments';
import type { Redactor } from '../redaction/redactor';

/** Most child loggers kept (server × method × tool × era × transport). */
const MAX_CHILDREN = 1_000;

/** Default methods that get a line per call. */
export const DEFAULT_LOGGED_METHODS = ['tools/call', 'resources/read', 'prompts/get'];

/** The structured line of one call. */
export interface CallLogLine {
  correlationId: string;
  server: string;
  method: string;
  tool?: string;
  era: string;
  transport: string;
  durationMs: number;
  outcome: string;
  decision: string;
  errorCode?: string;
  traceId?: string;
  arguments?: unknown;
  /** When the arguments were longer than `logging.maxArgumentsChars`: what was left out. */
  argumentsTruncated?: ArgumentsTruncation;
}

/**
 * Writes one structured pino line per call (`info`; `warn` for refusals and tool errors, `error`
 * for internal errors), with the call's correlation id, server, tool, method, era, transport,
 * duration, outcome and error code; the arguments only when `logging.arguments` is on, and then
 * redacted (a copy: the tool has its real arguments) and bounded by `logging.maxArgumentsChars`.
 *
 * @example
 * ```json
 * {"level":30,"correlationId":"4bf9…","server":"web-scrape","method":"tools/call","tool":"scrape_url","era":"modern","transport":"http","durationMs":12.4,"outcome":"success","decision":"allowed","msg":"tools/call scrape_url"}
 * ```
 */
@Injectable()
export class CallLogger implements OnModuleInit, OnApplicationShutdown {
  private unsubscribe?: () => void;
  private readonly methods: ReadonlySet<string> | undefined;
  private readonly withArguments: boolean;
  private readonly maxArgumentsChars: number;
  private readonly listener = (record: CallRecord) => this.log(record);
  /**
   * A child logger per server, method, tool, era and transport: pino serializes a child's
   * bindings once, so each line only serializes what changes per call.
   */
  private readonly children: ChildCache = new Map();
  private childCount = 0;

  constructor(
    private readonly logger: Logger,
    private readonly recorder: CallRecorder,
    private readonly redactor: Redactor,
    options: LoggingOptions,
    private readonly servers?: McpServers,
  ) {
    checkMaxArgumentsChars('LoggingOptions', options.maxArgumentsChars);
    this.maxArgumentsChars = options.maxArgumentsChars ?? DEFAULT_MAX_ARGUMENTS_CHARS;
    const methods = options.methods ?? DEFAULT_LOGGED_METHODS;
    this.methods = methods === '*' ? undefined : new Set(methods);
    this.withArguments = options.arguments === true;
  }

  onModuleInit(): void {
    this.unsubscribe = this.recorder.subscribe(this.listener);
  }

  onApplicationShutdown(): void {
    this.unsubscribe?.();
  }

  private log(record: CallRecord): void {
    if (this.methods && !this.methods.has(record.method)) return;
    const level =
      record.outcome === 'success'
        ? 'info'
        : record.errorCode === 'INTERNAL_ERROR' || record.errorCode === '-32603'
          ? 'error'
          : 'warn';
    if (!this.logger.isLevelEnabled(level)) return;
    const { logger, msg } = this.childOf(record);
    const line: Partial<CallLogLine> = {
      correlationId: record.correlationId,
      durationMs: Math.round(record.durationMs * 1000) / 1000,
      outcome: record.outcome,
      decision: record.decision,
    };
    if (record.errorCode !== undefined) line.errorCode = record.errorCode;
    if (record.traceId !== undefined) line.traceId = record.traceId;
    if (this.withArguments && record.arguments !== undefined) {
      const bounded = recordedArguments(
        record.arguments,
        record,
        this.redactor,
        this.maxArgumentsChars,
        this.servers,
      );
      line.arguments = bounded.arguments;
      if (bounded.truncated) line.argumentsTruncated = bounded.truncated;
    }
    logger[level](line, msg);
  }

  private childOf(r: CallRecord): Child {
    // Looked up level by level on strings that are the same instances call after call (their
    // hashes are cached), rather than on a key string built per call.
    const found = this.children
      .get(r.server)
      ?.get(r.method)
      ?.get(r.tool ?? '')
      ?.get(r.era)
      ?.get(r.transport);
    return found ?? this.addChild(r);
  }

  private addChild(r: CallRecord): Child {
    const child: Child = {
      logger: this.logger.child({
        server: r.server,
        method: r.method,
        tool: r.tool,
        era: r.era,
        transport: r.transport,
      }),
      msg: r.tool ? `${r.method} ${r.tool}` : r.method,
    };
    // Tool names come from clients too (unknown tools): the cache stays bounded.
    if (this.childCount < MAX_CHILDREN) {
      const level = <V>(map: Map<string, V>, key: string, make: () => V): V => {
        let value = map.get(key);
        if (value === undefined) map.set(key, (value = make()));
        return value;
      };
      const byMethod = level(this.children, r.server, () => new Map());
      const byTool = level(byMethod, r.method, () => new Map());
      const byEra = level(byTool, r.tool ?? '', () => new Map());
      level(byEra, r.era, () => new Map()).set(r.transport, child);
      this.childCount++;
    }
    return child;
  }
}

/** A child logger and the message of its lines. */
interface Child {
  logger: Logger;
  msg: string;
}

/** Child loggers by server, method, tool, era and transport. */
type ChildCache = Map<string, Map<string, Map<string, Map<string, Map<string, Child>>>>>;
