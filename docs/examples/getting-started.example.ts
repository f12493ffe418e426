// The getting-started guide's server, compiled and run by test/docs/examples.e2e-spec.ts.
import { Injectable, Module } from '@nestjs/common';
import { IsIn, IsOptional, IsString, MinLength } from 'class-validator';
import {
  Args,
  Ctx,
  McpContext,
  McpModule,
  Prompt,
  ResourceTemplate,
  Tool,
  ToolError,
} from '@rampart/core';

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
  private readonly notes = new Map<string, string>([['welcome', 'Welcome aboard!']]);

  @Tool({
    name: 'greet',
    description: 'Greets someone by name.',
    annotations: { readOnlyHint: true },
  })
  greet(@Args() input: GreetInput, @Ctx() ctx: McpContext) {
    ctx.progress(1, 'greeting', 1);
    return input.tone === 'formal' ? `Good day, ${input.name}.` : `Hi ${input.name}!`;
  }

  @ResourceTemplate({
    uriTemplate: 'note://{id}',
    mimeType: 'text/plain',
    description: 'A stored note',
  })
  note(@Args('id') id: string) {
    const note = this.notes.get(id);
    if (!note) throw new ToolError('NOT_FOUND', `No note ${id}`);
    return note;
  }

  @Prompt({ description: 'Write a greeting card' })
  card(@Args() input: GreetInput) {
    return `Write a short ${input.tone ?? 'casual'} greeting card for ${input.name}.`;
  }
}

@Module({
  imports: [McpModule.forRoot({ name: 'greetings', version: '1.0.0', http: { path: '/mcp' } })],
  providers: [GreetingTools],
})
export class GreetingsModule {}
