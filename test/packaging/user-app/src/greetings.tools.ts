import { Injectable } from '@nestjs/common';
import { IsIn, IsOptional, IsString, MinLength } from 'class-validator';
import { Args, Ctx, McpContext, Tool } from '@rampart/core';
import { TrackMetrics } from '@rampart/observability';
import { RateLimit } from '@rampart/resilience';

/** The tool's arguments: its JSON Schema and its validation, from class-validator. */
export class GreetInput {
  @IsString()
  @MinLength(1)
  name!: string;

  @IsOptional()
  @IsIn(['formal', 'casual'])
  tone?: 'formal' | 'casual';
}

@Injectable()
export class GreetingTools {
  @Tool({
    name: 'greet',
    description: 'Greets someone by name.',
    annotations: { readOnlyHint: true },
  })
  @RateLimit({ points: 60, perMs: 60_000 })
  @TrackMetrics()
  greet(@Args() input: GreetInput, @Ctx() ctx: McpContext): string {
    ctx.progress(1, 'greeting', 1);
    return input.tone === 'formal' ? `Good day, ${input.name}.` : `Hi ${input.name}!`;
  }
}
