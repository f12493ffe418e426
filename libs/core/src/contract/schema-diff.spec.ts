import type { ContractSchema } from './contract.interfaces';
import { diffSchemas } from './schema-diff';

/** An object schema with one property `p` of the given schema (optional unless said). */
const withP = (p: ContractSchema, required = false): ContractSchema => ({
  type: 'object',
  properties: { p },
  ...(required && { required: ['p'] }),
});

const B = 'breaking';
const C = 'compatible';

describe('diffSchemas', () => {
  it('finds nothing between equal schemas, whatever their key or required order', () => {
    expect(
      diffSchemas(
        { type: 'object', properties: { a: { type: 'string' }, b: {} }, required: ['a', 'b'] },
        { required: ['b', 'a'], properties: { b: {}, a: { type: 'string' } }, type: 'object' },
        'input',
      ),
    ).toEqual([]);
  });

  describe('properties', () => {
    const base: ContractSchema = {
      type: 'object',
      properties: { url: { type: 'string' } },
      required: ['url'],
    };

    it.each([
      [
        'an optional property added',
        base,
        { ...base, properties: { url: { type: 'string' }, format: { type: 'string' } } },
        [{ severity: C, message: 'input property "format" added (optional)' }],
        [{ severity: C, message: 'output property "format" added (optional)' }],
      ],
      [
        'a required property added',
        base,
        {
          ...base,
          properties: { url: { type: 'string' }, token: { type: 'string' } },
          required: ['token', 'url'],
        },
        [{ severity: B, message: 'input property "token" added (required)' }],
        [{ severity: C, message: 'output property "token" added (required)' }],
      ],
      [
        'a property removed',
        base,
        { type: 'object', properties: {} },
        [{ severity: B, message: 'input property "url" removed' }],
        [{ severity: B, message: 'output property "url" removed' }],
      ],
      [
        'a property made required',
        { ...base, required: [] },
        base,
        [{ severity: B, message: 'input property "url" became required' }],
        [{ severity: C, message: 'output property "url" became required' }],
      ],
      [
        'a property made optional',
        base,
        { ...base, required: [] },
        [{ severity: C, message: 'input property "url" became optional' }],
        [{ severity: B, message: 'output property "url" became optional' }],
      ],
    ])('%s: input and output', (_, before, after, input, output) => {
      expect(diffSchemas(before, after, 'input')).toEqual(input);
      expect(diffSchemas(before, after, 'output')).toEqual(output);
    });

    it('names nested properties by their path, through arrays and local $refs', () => {
      const before: ContractSchema = {
        type: 'object',
        $defs: { address: { type: 'object', properties: { city: { type: 'string' } } } },
        properties: {
          address: { $ref: '#/$defs/address' },
          tags: { type: 'array', items: { type: 'object', properties: { name: {} } } },
        },
      };
      const after: ContractSchema = {
        type: 'object',
        $defs: { address: { type: 'object', properties: {} } },
        properties: {
          address: { $ref: '#/$defs/address' },
          tags: { type: 'array', items: { type: 'object', properties: {} } },
        },
      };
      expect(diffSchemas(before, after, 'input')).toEqual([
        { severity: B, message: 'input property "address.city" removed' },
        { severity: B, message: 'input property "tags[].name" removed' },
      ]);
    });

    it('follows a recursive $ref once', () => {
      const tree = (extra: ContractSchema): ContractSchema => ({
        type: 'object',
        $defs: {
          node: {
            type: 'object',
            properties: { children: { type: 'array', items: { $ref: '#/$defs/node' } }, ...extra },
          },
        },
        properties: { root: { $ref: '#/$defs/node' } },
      });
      expect(diffSchemas(tree({}), tree({ label: { type: 'string' } }), 'input')).toEqual([
        { severity: C, message: 'input property "root.label" added (optional)' },
      ]);
    });
  });

  describe('constraints: narrowing breaks an input, loosening breaks an output', () => {
    it.each([
      [
        'type narrowed',
        { type: ['string', 'number'] },
        { type: 'string' },
        'type narrowed from ["string","number"] to "string"',
      ],
      [
        'type narrowed from number to integer',
        { type: 'number' },
        { type: 'integer' },
        'type narrowed from "number" to "integer"',
      ],
      ['type added', {}, { type: 'string' }, 'type "string" added'],
      [
        'enum values removed',
        { enum: ['text', 'html'] },
        { enum: ['text'] },
        'enum values removed: "html"',
      ],
      ['enum added', {}, { enum: ['a'] }, 'enum added: "a"'],
      ['const added', {}, { const: 'a' }, 'const added: "a"'],
      ['minLength raised', { minLength: 1 }, { minLength: 3 }, 'minLength raised from 1 to 3'],
      ['minimum added', {}, { minimum: 0 }, 'minimum added (0)'],
      ['maximum lowered', { maximum: 100 }, { maximum: 10 }, 'maximum lowered from 100 to 10'],
      ['maxItems added', {}, { maxItems: 5 }, 'maxItems added (5)'],
      [
        'exclusiveMinimum raised',
        { exclusiveMinimum: 0 },
        { exclusiveMinimum: 1 },
        'exclusiveMinimum raised from 0 to 1',
      ],
      [
        'multipleOf to a multiple',
        { multipleOf: 2 },
        { multipleOf: 4 },
        'multipleOf changed from 2 to 4',
      ],
      ['uniqueItems added', {}, { uniqueItems: true }, 'uniqueItems added'],
      ['pattern added', {}, { pattern: '^a' }, 'pattern added ("^a")'],
      [
        'format added',
        { type: 'string' },
        { type: 'string', format: 'uri' },
        'format added ("uri")',
      ],
      [
        'items schema added',
        { type: 'array' },
        { type: 'array', items: { type: 'string' } },
        'items schema added',
      ],
      [
        'anyOf alternative removed',
        { anyOf: [{ type: 'string' }, { type: 'null' }] },
        { anyOf: [{ type: 'string' }] },
        'anyOf: 1 alternative(s) removed',
      ],
      [
        'allOf branch added',
        { allOf: [{ minLength: 1 }] },
        { allOf: [{ minLength: 1 }, { maxLength: 9 }] },
        'allOf: 1 alternative(s) added',
      ],
    ])('%s', (_, before, after, text) => {
      // The same change inside a property, on both sides, and undone.
      expect(diffSchemas(withP(before), withP(after), 'input')).toEqual([
        { severity: B, message: `input property "p": ${text}` },
      ]);
      expect(diffSchemas(withP(before), withP(after), 'output')).toEqual([
        { severity: C, message: `output property "p": ${text}` },
      ]);
      const undone = diffSchemas(withP(after), withP(before), 'input');
      expect(undone).toHaveLength(1);
      expect(undone[0].severity).toBe(C);
      expect(diffSchemas(withP(after), withP(before), 'output')[0].severity).toBe(B);
    });

    it.each([
      [
        'type widened',
        { type: 'string' },
        { type: ['string', 'null'] },
        'type widened from "string" to ["string","null"]',
      ],
      ['type removed', { type: 'string' }, {}, 'type "string" removed'],
      [
        'enum values added',
        { enum: ['text'] },
        { enum: ['text', 'md'] },
        'enum values added: "md"',
      ],
      ['enum removed', { enum: ['a'] }, {}, 'enum removed (was "a")'],
      ['maxLength raised', { maxLength: 10 }, { maxLength: 20 }, 'maxLength raised from 10 to 20'],
      ['minimum removed', { minimum: 1 }, {}, 'minimum removed (was 1)'],
      ['minItems lowered', { minItems: 2 }, { minItems: 1 }, 'minItems lowered from 2 to 1'],
      [
        'multipleOf to a divisor',
        { multipleOf: 4 },
        { multipleOf: 2 },
        'multipleOf changed from 4 to 2',
      ],
      ['format removed', { format: 'email' }, {}, 'format removed (was "email")'],
      [
        'anyOf alternative added',
        { anyOf: [{ type: 'string' }] },
        { anyOf: [{ type: 'string' }, { type: 'integer' }] },
        'anyOf: 1 alternative(s) added',
      ],
    ])('%s', (_, before, after, text) => {
      expect(diffSchemas(withP(before), withP(after), 'input')).toEqual([
        { severity: C, message: `input property "p": ${text}` },
      ]);
      expect(diffSchemas(withP(before), withP(after), 'output')).toEqual([
        { severity: B, message: `output property "p": ${text}` },
      ]);
    });

    it('additionalProperties: true → false narrows, false → true loosens, schemas compare inside', () => {
      const open: ContractSchema = { type: 'object', properties: {} };
      const closed: ContractSchema = { ...open, additionalProperties: false };
      expect(diffSchemas(open, closed, 'input')).toEqual([
        { severity: B, message: 'input: additionalProperties changed from true to false' },
      ]);
      expect(diffSchemas(closed, open, 'input')).toEqual([
        { severity: C, message: 'input: additionalProperties changed from false to true' },
      ]);
      expect(diffSchemas(closed, open, 'output')).toEqual([
        { severity: B, message: 'output: additionalProperties changed from false to true' },
      ]);
      expect(
        diffSchemas(
          withP({ type: 'object', additionalProperties: { type: 'string' } }),
          withP({ type: 'object', additionalProperties: { type: 'string', maxLength: 5 } }),
          'input',
        ),
      ).toEqual([{ severity: B, message: 'input property "p.*": maxLength added (5)' }]);
    });

    it('one alternative of anyOf replaced by another is compared as a schema (nullable fields)', () => {
      expect(
        diffSchemas(
          withP({ anyOf: [{ type: 'string', maxLength: 10 }, { type: 'null' }] }),
          withP({ anyOf: [{ type: 'string', maxLength: 20 }, { type: 'null' }] }),
          'input',
        ),
      ).toEqual([{ severity: C, message: 'input property "p": maxLength raised from 10 to 20' }]);
    });

    it('counts a change neither narrower nor wider as breaking on both sides', () => {
      for (const side of ['input', 'output'] as const) {
        expect(
          diffSchemas(withP({ type: 'string' }), withP({ type: 'number' }), side).map(
            (c) => c.severity,
          ),
        ).toEqual([B]);
        expect(diffSchemas(withP({ enum: ['a', 'b'] }), withP({ enum: ['a', 'c'] }), side)).toEqual(
          [
            {
              severity: B,
              message: `${side} property "p": enum values removed: "b"; enum values added: "c"`,
            },
          ],
        );
        expect(diffSchemas(withP({ pattern: '^a' }), withP({ pattern: '^b' }), side)).toEqual([
          { severity: B, message: `${side} property "p": pattern changed from "^a" to "^b"` },
        ]);
      }
    });

    it('counts keywords it cannot classify as breaking when they change', () => {
      expect(
        diffSchemas(
          withP({ type: 'string', 'x-mcp-header': 'Region' }),
          withP({ type: 'string', 'x-mcp-header': 'Zone' }),
          'output',
        ),
      ).toEqual([
        {
          severity: B,
          message:
            'output property "p": "x-mcp-header" changed from "Region" to "Zone" (not classified by the checker, so counted as breaking)',
        },
      ]);
      expect(diffSchemas({ type: 'object' }, { type: 'object', not: {} }, 'input')).toEqual([
        {
          severity: B,
          message: 'input: "not" added (not classified by the checker, so counted as breaking)',
        },
      ]);
    });
  });

  it('counts descriptions, titles, examples and defaults as compatible on both sides', () => {
    const before = withP({ type: 'string', description: 'old', default: 'a' });
    const after = withP({ type: 'string', description: 'new', title: 'P', default: 'b' });
    for (const side of ['input', 'output'] as const)
      expect(diffSchemas(before, after, side)).toEqual([
        { severity: C, message: `${side} property "p": title added` },
        { severity: C, message: `${side} property "p": description changed` },
        { severity: C, message: `${side} property "p": default changed` },
      ]);
  });
});
