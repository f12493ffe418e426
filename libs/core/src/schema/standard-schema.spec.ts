import { z } from 'zod';
import { isMcpDefinitionError } from '../errors/mcp-definition.error';
import {
  compileStandardValidator,
  isStandardSchema,
  standardInputSchema,
  type StandardJsonSchema,
} from './standard-schema';

describe('Standard Schema inputs', () => {
  const input = z.object({ city: z.string().min(2), tags: z.array(z.string()).optional() });

  it('recognises a Standard Schema and a DTO-free JSON Schema apart', () => {
    expect(isStandardSchema(input)).toBe(true);
    expect(isStandardSchema({ type: 'object' })).toBe(false);
  });

  it('generates the JSON Schema 2020-12 of the input', () => {
    expect(standardInputSchema(input, 'T.m')).toEqual({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: {
        city: { type: 'string', minLength: 2 },
        tags: { type: 'array', items: { type: 'string' } },
      },
      required: ['city'],
    });
  });

  it('refuses a schema that does not describe an object', () => {
    let error: unknown;
    try {
      standardInputSchema(z.string(), 'T.m');
    } catch (e) {
      error = e;
    }
    expect(isMcpDefinitionError(error)).toBe(true);
    expect(String(error)).toMatch(/T\.m: the input schema must describe an object/);
  });

  it('refuses a Standard Schema without the JSON Schema extension', () => {
    const bare: StandardJsonSchema = {
      '~standard': { version: 1, vendor: 'acme', validate: (value) => ({ value }) },
    };
    expect(() => standardInputSchema(bare, 'T.m')).toThrow(
      /acme schema cannot describe itself as JSON Schema/,
    );
  });

  it('validates with field paths, and treats missing arguments as an empty object', () => {
    const validate = compileStandardValidator(input);
    expect(validate({ city: 'Paris' })).toEqual({ ok: true, value: { city: 'Paris' } });
    expect(validate({ city: 'P', tags: ['a', 3] })).toEqual({
      ok: false,
      issues: [
        { path: 'city', message: expect.stringContaining('>=2'), constraint: 'schema' },
        {
          path: 'tags[1]',
          message: expect.stringContaining('expected string'),
          constraint: 'schema',
        },
      ],
    });
    expect(validate(undefined)).toMatchObject({ ok: false, issues: [{ path: 'city' }] });
  });
});
