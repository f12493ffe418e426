import { join } from 'node:path';
import { inWorker } from '../../../../test/in-worker';
import { isMcpDefinitionError } from '../errors/mcp-definition.error';
import { isJsonSchemaInvalidError, JsonSchemaInvalidError } from './json-schema-invalid.error';
import { compileJsonSchemaValidator } from './json-schema-validator';
import type { JsonSchema } from './json-schema.interface';

const orderSchema: JsonSchema = {
  type: 'object',
  properties: {
    callback: { type: 'string', format: 'uri' },
    email: { type: 'string', format: 'email' },
    address: {
      type: 'object',
      properties: { city: { type: 'string' }, zip: { type: 'string', pattern: '^[0-9]{5}$' } },
      required: ['city'],
    },
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: { sku: { type: 'string' }, quantity: { type: 'integer', minimum: 1 } },
        required: ['sku', 'quantity'],
      },
    },
    tags: { type: 'array', items: { type: 'string' } },
    mode: { enum: ['fast', 'safe'] },
  },
  required: ['callback', 'address'],
};

describe('compileJsonSchemaValidator', () => {
  it('returns the value itself when it is valid', () => {
    const check = compileJsonSchemaValidator<{ callback: string }>(orderSchema);
    const value = { callback: 'https://a.dev/hook', address: { city: 'Lyon' }, mode: 'fast' };

    const result = check(value);

    expect(result).toEqual({ ok: true, value });
    expect(result.ok && result.value).toBe(value);
  });

  it('reports every issue with a path, a message and the failed keyword', () => {
    const check = compileJsonSchemaValidator(orderSchema);

    expect(
      check({
        callback: 'not a uri',
        email: 'nobody',
        address: { zip: '7500' },
        items: [{ sku: 'A', quantity: 1 }, { sku: 'B', quantity: 1.5 }, { quantity: 2 }],
        tags: ['a', 2],
        mode: 'slow',
      }),
    ).toEqual({
      ok: false,
      issues: [
        { path: 'callback', message: 'callback must match format "uri"', constraint: 'format' },
        { path: 'email', message: 'email must match format "email"', constraint: 'format' },
        { path: 'address.city', message: 'address.city is required', constraint: 'required' },
        {
          path: 'address.zip',
          message: 'address.zip must match pattern "^[0-9]{5}$"',
          constraint: 'pattern',
        },
        {
          path: 'items[1].quantity',
          message: 'items[1].quantity must be integer',
          constraint: 'type',
        },
        { path: 'items[2].sku', message: 'items[2].sku is required', constraint: 'required' },
        { path: 'tags[1]', message: 'tags[1] must be string', constraint: 'type' },
        { path: 'mode', message: 'mode must be one of "fast", "safe"', constraint: 'enum' },
      ],
    });
  });

  it('reports a value of the wrong type at path ""', () => {
    const check = compileJsonSchemaValidator(orderSchema);

    expect(check(null)).toEqual({
      ok: false,
      issues: [{ path: '', message: 'value must be object', constraint: 'type' }],
    });
    expect(check([])).toEqual({
      ok: false,
      issues: [{ path: '', message: 'value must be object', constraint: 'type' }],
    });
  });

  it('names properties that are not allowed, and decodes JSON Pointer escapes', () => {
    const check = compileJsonSchemaValidator({
      type: 'object',
      properties: { 'a/b': { type: 'object', properties: { 'x~y': { const: 1 } } } },
      additionalProperties: false,
    });

    expect(check({ 'a/b': { 'x~y': 2 }, extra: true })).toEqual({
      ok: false,
      issues: [
        { path: 'extra', message: 'extra is not allowed', constraint: 'additionalProperties' },
        { path: 'a/b.x~y', message: 'a/b.x~y must be 1', constraint: 'const' },
      ],
    });
  });

  it('tells an array index from an object key that looks like one', () => {
    const check = compileJsonSchemaValidator({
      type: 'object',
      properties: {
        byId: { type: 'object', additionalProperties: { type: 'string' } },
        list: { type: 'array', items: { type: 'string' } },
      },
    });

    expect(check({ byId: { '0': 1 }, list: [1] })).toMatchObject({
      ok: false,
      issues: [{ path: 'byId.0' }, { path: 'list[0]' }],
    });
  });

  it('only counts own properties as present', () => {
    const check = compileJsonSchemaValidator({ type: 'object', required: ['toString'] });

    expect(check({}).ok).toBe(false);
    expect(check({ toString: 'x' }).ok).toBe(true);
  });

  it('follows $defs and recursive $ref', () => {
    const check = compileJsonSchemaValidator({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: { root: { $ref: '#/$defs/node' } },
      $defs: {
        node: {
          type: 'object',
          properties: {
            v: { type: 'integer' },
            kids: { type: 'array', items: { $ref: '#/$defs/node' } },
          },
        },
      },
    });

    expect(check({ root: { v: 1, kids: [{ v: 2, kids: [{ v: 'x' }] }] } })).toEqual({
      ok: false,
      issues: [
        {
          path: 'root.kids[0].kids[0].v',
          message: 'root.kids[0].kids[0].v must be integer',
          constraint: 'type',
        },
      ],
    });
  });

  it('validates 2020-12 keywords (prefixItems)', () => {
    const check = compileJsonSchemaValidator({
      type: 'array',
      prefixItems: [{ type: 'number' }, { type: 'string' }],
      items: false,
    });

    expect(check([1, 'a']).ok).toBe(true);
    expect(check([1, 2]).ok).toBe(false);
    expect(check([1, 'a', true]).ok).toBe(false);
  });

  it('uses the dialect a schema declares: draft-07 and 2019-09', () => {
    const draft7 = compileJsonSchemaValidator({
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      // draft-07's tuple form of `items`, which 2020-12 replaced with `prefixItems`.
      properties: { pair: { type: 'array', items: [{ type: 'number' }, { type: 'string' }] } },
    } as unknown as JsonSchema);
    const draft2019 = compileJsonSchemaValidator({
      $schema: 'https://json-schema.org/draft/2019-09/schema',
      type: 'object',
      dependentRequired: { card: ['cvc'] },
    });

    expect(draft7({ pair: [1, 'a'] }).ok).toBe(true);
    expect(draft7({ pair: ['a', 1] }).ok).toBe(false);
    expect(draft2019({ card: '4242' })).toEqual({
      ok: false,
      issues: [{ path: 'cvc', message: 'cvc is required', constraint: 'dependentRequired' }],
    });
  });

  it('compiles two different schemas with the same $id independently', () => {
    const a = compileJsonSchemaValidator({ $id: 'https://rampart.dev/s', type: 'string' });
    const b = compileJsonSchemaValidator({ $id: 'https://rampart.dev/s', type: 'number' });

    expect(a('x').ok).toBe(true);
    expect(a(1).ok).toBe(false);
    expect(b(1).ok).toBe(true);
    expect(b('x').ok).toBe(false);
  });

  it('checks the url format on values of at most 2,083 characters', () => {
    const check = compileJsonSchemaValidator({
      type: 'object',
      properties: { link: { type: 'string', format: 'url' } },
    });
    expect(check({ link: 'https://example.com/a?b=c' }).ok).toBe(true);
    expect(check({ link: 'not a url' }).ok).toBe(false);
    const longest = `https://example.com/${'a'.repeat(2_083 - 20)}`;
    expect(longest).toHaveLength(2_083);
    expect(check({ link: longest }).ok).toBe(true);
    expect(check({ link: `${longest}a` }).ok).toBe(false);
  });

  it("checks a caller's megabyte against the url format in linear time", async () => {
    // The attack: a tool argument declared `format: "url"` of `http://a` and `a:` repeated.
    // ajv-formats' pattern backtracks over it quadratically: 100 ms at 20 KB, minutes at 1 MB,
    // on the event loop of every caller.
    const issues = await inWorker<unknown[]>({
      module: join(__dirname, '../../dist/schema/json-schema-validator.js'),
      run: `(m, link) => m.compileJsonSchemaValidator({
        type: 'object', properties: { link: { type: 'string', format: 'url' } },
      })({ link }).issues`,
      input: `http://a${'a:'.repeat(500_000)}!`,
      deadlineMs: 60_000,
    });
    expect(issues).toEqual([expect.objectContaining({ path: 'link', constraint: 'format' })]);
  }, 90_000);

  it('ignores unknown keywords and unknown formats', () => {
    const check = compileJsonSchemaValidator({
      type: 'object',
      properties: { card: { type: 'string', format: 'credit-card', 'x-vendor': true } },
    });

    expect(check({ card: 'anything' }).ok).toBe(true);
  });

  describe('invalid schemas', () => {
    it('throws JsonSchemaInvalidError for a schema that breaks the meta-schema', () => {
      let error: unknown;
      try {
        compileJsonSchemaValidator({ type: 'strng' } as unknown as JsonSchema, {
          where: 'tool "search" input',
        });
      } catch (e) {
        error = e;
      }

      expect(error).toBeInstanceOf(JsonSchemaInvalidError);
      expect(isJsonSchemaInvalidError(error)).toBe(true);
      expect(isMcpDefinitionError(error)).toBe(true);
      expect((error as Error).message).toMatch(
        /^Invalid JSON Schema for tool "search" input: schema is invalid: data\/type/,
      );
    });

    it('throws JsonSchemaInvalidError for a $ref that does not resolve', () => {
      expect(() => compileJsonSchemaValidator({ $ref: '#/$defs/missing' })).toThrow(
        /^Invalid JSON Schema: can't resolve reference #\/\$defs\/missing/,
      );
    });

    it('throws JsonSchemaInvalidError for an unsupported dialect', () => {
      expect(() =>
        compileJsonSchemaValidator({ $schema: 'http://json-schema.org/draft-04/schema#' }),
      ).toThrow(
        'Invalid JSON Schema: the dialect "http://json-schema.org/draft-04/schema#" is not supported',
      );
    });

    it('throws JsonSchemaInvalidError for a schema that is not an object', () => {
      expect(() => compileJsonSchemaValidator(null as unknown as JsonSchema)).toThrow(
        'Invalid JSON Schema: a schema must be a JSON object',
      );
    });

    it('keeps working after a schema failed to compile', () => {
      expect(() => compileJsonSchemaValidator({ type: 'strng' } as unknown as JsonSchema)).toThrow(
        JsonSchemaInvalidError,
      );

      expect(compileJsonSchemaValidator({ type: 'string' })('x').ok).toBe(true);
    });
  });
});
