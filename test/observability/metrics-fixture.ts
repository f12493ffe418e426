import {
  ForbiddenException,
  Injectable,
  UseGuards,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { IsInt, IsOptional, IsString } from 'class-validator';
import { Args, McpExecutionContext, Resource, Tool, ToolError } from '@rampart/core';
import { TrackMetrics } from '@rampart/observability';

export class AddInput {
  @IsInt() a!: number;
  @IsInt() b!: number;
}

export class UpstreamInput {
  @IsOptional() @IsString() code?: string;
}

export class ProfileInput {
  @IsString() email!: string;
  @IsString() password!: string;
  @IsString() note!: string;
  @IsOptional() @IsString() card?: string;
}

/** Refuses calls whose arguments say `deny: true`, with FORBIDDEN. */
@Injectable()
export class DenyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (McpExecutionContext.getArgs<{ deny?: boolean }>(context).deny === true)
      throw new ForbiddenException('denied');
    return true;
  }
}

/** Tools whose calls the observability specs know the outcome of. All tracked (class-level). */
@Injectable()
@TrackMetrics()
export class CalcTools {
  /** Every value the `profile` tool received, to prove redaction never touches them. */
  readonly received: ProfileInput[] = [];

  @Tool({ name: 'add', description: 'Adds two integers' })
  add(@Args() input: AddInput) {
    return String(input.a + input.b);
  }

  @Tool({ name: 'upstream', description: 'Fails with a structured tool error' })
  upstream(@Args() input: UpstreamInput) {
    throw new ToolError(input.code ?? 'UPSTREAM_DOWN', 'upstream is down', { retryable: true });
  }

  @Tool({ name: 'crash', description: 'Throws an unexpected error' })
  crash(): string {
    throw new Error('boom');
  }

  @Tool({ name: 'guarded', description: 'Denied when deny is true' })
  @UseGuards(DenyGuard)
  guarded() {
    return 'ok';
  }

  @Tool({ name: 'profile', description: 'Stores a profile' })
  profile(@Args() input: ProfileInput) {
    this.received.push(input);
    return `saved ${input.email}`;
  }

  @Tool({ name: 'traced', description: 'Makes a span of its own' })
  traced() {
    const span = trace.getTracer('fixture').startSpan('inner-work');
    span.end();
    return 'traced';
  }

  @Tool({ name: 'quiet', description: 'Left out of the metrics' })
  @TrackMetrics({ enabled: false })
  quiet() {
    return 'shh';
  }

  @Resource({ uri: 'note://hello', name: 'hello' })
  hello() {
    return 'hello';
  }
}

/** Tools without `@TrackMetrics()`: recorded only with `metrics.allTools`. */
@Injectable()
export class PlainTools {
  @Tool({ name: 'plain', description: 'Not tracked' })
  plain() {
    return 'plain';
  }
}

/** Reads one sample of a metric from the Prometheus text format; `undefined` when absent. */
export function sample(
  text: string,
  name: string,
  labels: Record<string, string>,
): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const open = line.indexOf('{');
    const close = line.lastIndexOf('}');
    const labelText = open >= 0 ? line.slice(open + 1, close) : '';
    const present = labelText ? labelText.split(/,(?=[a-z_]+=")/) : [];
    if (wanted.every((w) => present.includes(w)) && present.length === wanted.length)
      return Number(line.slice(close + 1).trim());
  }
  return undefined;
}
