import { nestProject, runner } from '../testing.fixture';

describe('prompt', () => {
  it('creates a prompt with the class of its arguments, and its spec, registered in the app module', async () => {
    const tree = await runner.runSchematic(
      'prompt',
      { name: 'review-code', description: 'Review a change.' },
      nestProject(),
    );
    expect(tree.files.filter((f) => f.startsWith('/src/review-code/'))).toEqual([
      '/src/review-code/review-code.prompts.spec.ts',
      '/src/review-code/review-code.prompts.ts',
    ]);
    expect(tree.readText('/src/review-code/review-code.prompts.ts'))
      .toBe(`import { Injectable } from '@nestjs/common';
import { Args, JSONSchema, Prompt } from '@rampart/core';
import { IsString, MinLength } from 'class-validator';

/** Arguments of the \`review_code\` prompt: each property is one argument. */
export class ReviewCodePromptArgs {
  @JSONSchema({ description: 'The text the prompt is about.' })
  @IsString()
  @MinLength(1)
  text!: string;
}

@Injectable()
export class ReviewCodePrompts {
  @Prompt({
    name: 'review_code',
    description: 'Review a change.',
  })
  reviewCode(@Args() args: ReviewCodePromptArgs): string {
    // The user message the client's model gets: say what to do with the arguments.
    return \`Work on the following text:\\n\\n\${args.text}\`;
  }
}
`);
    expect(tree.readText('/src/app.module.ts')).toContain(
      `import { ReviewCodePrompts } from './review-code/review-code.prompts';`,
    );
    expect(tree.readText('/src/app.module.ts')).toContain('  providers: [ReviewCodePrompts],\n');
  });

  it('writes a spec that lists the prompt with its argument and gets its message', async () => {
    const tree = await runner.runSchematic('prompt', { name: 'review-code' }, nestProject());
    expect(tree.readText('/src/review-code/review-code.prompts.spec.ts'))
      .toBe(`import { McpModule } from '@rampart/core';
import { createMcpTestApp, type McpTestApp } from '@rampart/testing';
import { ReviewCodePrompts } from './review-code.prompts';

describe('ReviewCodePrompts', () => {
  let t: McpTestApp;

  beforeAll(async () => {
    t = await createMcpTestApp({
      imports: [McpModule.forRoot({ name: 'test', version: '0.0.0' })],
      providers: [ReviewCodePrompts],
    });
  });

  afterAll(() => t.close());

  it('declares review_code with its arguments', async () => {
    const { prompts } = await t.client.listPrompts();
    const prompt = prompts.find((entry) => entry.name === 'review_code');
    expect(prompt?.arguments).toEqual([
      expect.objectContaining({ name: 'text', required: true }),
    ]);
  });

  it('puts the text in the message', async () => {
    const { messages } = await t.client.getPrompt({
      name: 'review_code',
      arguments: { text: 'hello' },
    });
    expect(messages).toEqual([
      {
        role: 'user',
        content: { type: 'text', text: 'Work on the following text:\\n\\nhello' },
      },
    ]);
  });
});
`);
  });

  it('with --flat and --no-spec, writes the prompt alone beside the module', async () => {
    const tree = await runner.runSchematic(
      'prompt',
      { name: 'review-code', flat: true, spec: false },
      nestProject(),
    );
    expect(tree.files.filter((f) => f.includes('review-code'))).toEqual([
      '/src/review-code.prompts.ts',
    ]);
    expect(tree.readText('/src/app.module.ts')).toContain(
      `import { ReviewCodePrompts } from './review-code.prompts';`,
    );
  });
});
