import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsDateString,
  IsEmail,
  IsEnum,
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsOptional,
  IsString,
  IsUrl,
  IsUUID,
  Length,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { isMcpDefinitionError } from '../errors/mcp-definition.error';
import { DtoMetadataMissingError, isDtoMetadataMissingError } from './dto-metadata-missing.error';
import { buildInputSchema, JSON_SCHEMA_2020_12, JSONSchema } from './dto-schema';
import { compileJsonSchemaValidator } from './json-schema-validator';

const DIALECT = { $schema: 'https://json-schema.org/draft/2020-12/schema' };

describe('buildInputSchema', () => {
  it('describes the seed example: a required URL and an optional choice', () => {
    class ScrapeUrlInput {
      @IsUrl({ protocols: ['http', 'https'], require_protocol: true })
      url!: string;

      @IsOptional() @IsIn(['text', 'html']) format?: 'text' | 'html';
    }

    expect(buildInputSchema(ScrapeUrlInput)).toEqual({
      ...DIALECT,
      type: 'object',
      properties: {
        url: { type: 'string', format: 'uri' },
        format: { type: 'string', enum: ['text', 'html'] },
      },
      required: ['url'],
    });
    expect(JSON_SCHEMA_2020_12).toBe(DIALECT.$schema);
  });

  it('maps string formats to JSON Schema formats', () => {
    class Formats {
      @IsUrl() site!: string;
      @IsEmail() email!: string;
      @IsUUID() id!: string;
      @IsDateString() startsAt!: string;
      @IsISO8601() endsAt!: string;
    }

    expect(buildInputSchema(Formats).properties).toEqual({
      site: { type: 'string', format: 'uri' },
      email: { type: 'string', format: 'email' },
      id: { type: 'string', format: 'uuid' },
      startsAt: { type: 'string', format: 'date-time' },
      endsAt: { type: 'string', format: 'date-time' },
    });
  });

  it('keeps integer for @IsInt() whatever the order of @Min() / @Max() beside it', () => {
    class Numbers {
      @IsInt() @Min(1) @Max(100) limit!: number;
      @Min(0) @Max(10) @IsInt() page!: number;
      @IsNumber() @Min(0) @Max(1) ratio!: number;
      @Min(-5) offset!: number;
    }

    expect(buildInputSchema(Numbers).properties).toEqual({
      limit: { type: 'integer', minimum: 1, maximum: 100 },
      page: { type: 'integer', minimum: 0, maximum: 10 },
      ratio: { type: 'number', minimum: 0, maximum: 1 },
      offset: { type: 'number', minimum: -5 },
    });
  });

  it('describes lengths and booleans', () => {
    class Texts {
      @Length(2, 8) code!: string;
      @IsString() @MinLength(1) @MaxLength(280) text!: string;
      @IsBoolean() dryRun!: boolean;
    }

    expect(buildInputSchema(Texts).properties).toEqual({
      code: { type: 'string', minLength: 2, maxLength: 8 },
      text: { type: 'string', minLength: 1, maxLength: 280 },
      dryRun: { type: 'boolean' },
    });
  });

  it('lists enum values: string enums, numeric enums without reverse mappings, @IsIn()', () => {
    enum Color {
      Red = 'red',
      Blue = 'blue',
    }
    enum Priority {
      Low = 1,
      High = 2,
    }
    class Choices {
      @IsEnum(Color) color!: Color;
      @IsEnum(Priority) priority!: Priority;
      @IsIn([0.5, 1, 2]) scale!: number;
      @IsIn(['auto', 1]) mixed!: 'auto' | 1;
    }

    expect(buildInputSchema(Choices).properties).toEqual({
      color: { type: 'string', enum: ['red', 'blue'] },
      priority: { type: 'integer', enum: [1, 2] },
      scale: { type: 'number', enum: [0.5, 1, 2] },
      mixed: { enum: ['auto', 1] },
    });
  });

  it('gives arrays their item schema', () => {
    class Lists {
      @IsArray() @IsString({ each: true }) tags!: string[];
      @IsArray() @ArrayMinSize(1) @IsInt({ each: true }) @Min(0, { each: true }) ids!: number[];
    }

    expect(buildInputSchema(Lists).properties).toEqual({
      tags: { type: 'array', items: { type: 'string' } },
      ids: { type: 'array', items: { type: 'integer', minimum: 0 }, minItems: 1 },
    });
  });

  it('inlines nested DTOs, single and in arrays, with no $ref or definitions left', () => {
    class Address {
      @IsString() city!: string;
      @IsOptional() @IsString() zip?: string;
    }
    class LineItem {
      @IsString() sku!: string;
      @IsInt() @Min(1) quantity!: number;
    }
    class Order {
      @ValidateNested() @Type(() => Address) address!: Address;
      @IsOptional() @ValidateNested() @Type(() => Address) billing?: Address;
      @IsArray() @ValidateNested({ each: true }) @Type(() => LineItem) items!: LineItem[];
      // class-validator checks every element of an array even without `each`.
      @ValidateNested() @Type(() => LineItem) extras!: LineItem[];
    }

    const address = {
      type: 'object',
      properties: { city: { type: 'string' }, zip: { type: 'string' } },
      required: ['city'],
    };
    const lineItem = {
      type: 'object',
      properties: { sku: { type: 'string' }, quantity: { type: 'integer', minimum: 1 } },
      required: ['sku', 'quantity'],
    };
    const schema = buildInputSchema(Order);

    expect(schema).toEqual({
      ...DIALECT,
      type: 'object',
      properties: {
        address,
        billing: address,
        items: { type: 'array', items: lineItem },
        extras: { type: 'array', items: lineItem },
      },
      required: ['address', 'items', 'extras'],
    });
    expect(JSON.stringify(schema)).not.toMatch(/\$ref|definitions|\$defs/);
  });

  it('adds descriptions and examples from @JSONSchema(), on properties and on classes', () => {
    @JSONSchema({ description: 'Where to deliver' })
    class Address {
      @JSONSchema({ description: 'City name', examples: ['Paris'] })
      @IsString()
      city!: string;
    }
    @JSONSchema({ title: 'Ship an order' })
    class Ship {
      @IsString()
      @JSONSchema({ description: 'Order id', examples: ['o-42'] })
      orderId!: string;

      @ValidateNested() @Type(() => Address) to!: Address;
    }

    expect(buildInputSchema(Ship)).toEqual({
      ...DIALECT,
      type: 'object',
      title: 'Ship an order',
      properties: {
        orderId: { type: 'string', description: 'Order id', examples: ['o-42'] },
        to: {
          type: 'object',
          description: 'Where to deliver',
          properties: {
            city: { type: 'string', description: 'City name', examples: ['Paris'] },
          },
          required: ['city'],
        },
      },
      required: ['orderId', 'to'],
    });
  });

  it('omits required when every property is optional and leaves additionalProperties unset', () => {
    class Filters {
      @IsOptional() @IsString() q?: string;
      @IsOptional() @IsInt() limit?: number;
    }

    const schema = buildInputSchema(Filters);

    expect(schema).toEqual({
      ...DIALECT,
      type: 'object',
      properties: { q: { type: 'string' }, limit: { type: 'integer' } },
    });
    expect('required' in schema).toBe(false);
    expect('additionalProperties' in schema).toBe(false);
  });

  it('keeps additionalProperties when the class sets it with @JSONSchema()', () => {
    @JSONSchema({ additionalProperties: false })
    class Strict {
      @IsString() q!: string;
    }

    expect(buildInputSchema(Strict)).toEqual({
      ...DIALECT,
      type: 'object',
      properties: { q: { type: 'string' } },
      required: ['q'],
      additionalProperties: false,
    });
  });

  it('lists properties in declaration order, inherited ones first', () => {
    class Paged {
      @IsOptional() @IsInt() page?: number;
      @IsOptional() @IsInt() size?: number;
    }
    class Search extends Paged {
      @IsString() query!: string;
      @IsBoolean() exact!: boolean;
    }

    const schema = buildInputSchema(Search);

    expect(Object.keys(schema.properties)).toEqual(['page', 'size', 'query', 'exact']);
    expect(schema.required).toEqual(['query', 'exact']);
  });

  it('is deterministic and does not depend on the order of decorators', () => {
    class A {
      @IsString() @MinLength(1) @IsEmail() email!: string;
      @IsInt() @Max(9) @Min(1) n!: number;
    }
    class B {
      @IsEmail() @MinLength(1) @IsString() email!: string;
      @Min(1) @Max(9) @IsInt() n!: number;
    }

    const a = JSON.stringify(buildInputSchema(A));
    expect(JSON.stringify(buildInputSchema(A))).toBe(a);
    expect(JSON.stringify(buildInputSchema(B))).toBe(a);
    expect(a).toBe(
      JSON.stringify({
        ...DIALECT,
        type: 'object',
        properties: {
          email: { type: 'string', format: 'email', minLength: 1 },
          n: { type: 'integer', minimum: 1, maximum: 9 },
        },
        required: ['email', 'n'],
      }),
    );
  });

  it('refers to the root with $ref "#" when a DTO contains itself', () => {
    class TreeNode {
      @IsString() label!: string;
      @IsOptional() @ValidateNested({ each: true }) @Type(() => TreeNode) children?: TreeNode[];
    }

    expect(buildInputSchema(TreeNode)).toEqual({
      ...DIALECT,
      type: 'object',
      properties: {
        label: { type: 'string' },
        children: { type: 'array', items: { $ref: '#' } },
      },
      required: ['label'],
    });
  });

  it('defines a nested recursive DTO once in $defs and inlines the rest', () => {
    class Category {
      @IsString() name!: string;
      @IsOptional() @ValidateNested() @Type(() => Category) parent?: Category;
    }
    class Product {
      @IsString() sku!: string;
      @ValidateNested() @Type(() => Category) category!: Category;
      @IsOptional() @ValidateNested() @Type(() => Category) secondary?: Category;
    }

    expect(buildInputSchema(Product)).toEqual({
      ...DIALECT,
      type: 'object',
      properties: {
        sku: { type: 'string' },
        category: { $ref: '#/$defs/Category' },
        secondary: { $ref: '#/$defs/Category' },
      },
      required: ['sku', 'category'],
      $defs: {
        Category: {
          type: 'object',
          properties: { name: { type: 'string' }, parent: { $ref: '#/$defs/Category' } },
          required: ['name'],
        },
      },
    });
  });

  it('puts only the class that closes a cycle in $defs', () => {
    class Employee {
      @IsString() name!: string;
      // `Partial<>`: decorator metadata cannot name a class declared further down.
      @IsOptional() @ValidateNested() @Type(() => Team) team?: Partial<Team>;
    }
    class Team {
      @IsString() title!: string;
      @IsOptional() @ValidateNested() @Type(() => Employee) lead?: Employee;
    }
    class Org {
      @ValidateNested() @Type(() => Employee) ceo!: Employee;
    }

    expect(buildInputSchema(Org)).toEqual({
      ...DIALECT,
      type: 'object',
      properties: { ceo: { $ref: '#/$defs/Employee' } },
      required: ['ceo'],
      $defs: {
        Employee: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            team: {
              type: 'object',
              properties: { title: { type: 'string' }, lead: { $ref: '#/$defs/Employee' } },
              required: ['title'],
            },
          },
          required: ['name'],
        },
      },
    });
  });

  it('describes a discriminated @Type() as oneOf its sub-types', () => {
    class Circle {
      @IsNumber() radius!: number;
    }
    class Square {
      @IsNumber() side!: number;
    }
    abstract class Shape {}
    class Draw {
      @ValidateNested()
      @Type(() => Shape, {
        discriminator: {
          property: 'kind',
          subTypes: [
            { name: 'circle', value: Circle },
            { name: 'square', value: Square },
          ],
        },
      })
      shape!: Circle | Square;
    }

    expect(buildInputSchema(Draw).properties).toEqual({
      shape: {
        oneOf: [
          {
            type: 'object',
            properties: { kind: { type: 'string', const: 'circle' }, radius: { type: 'number' } },
            required: ['kind', 'radius'],
          },
          {
            type: 'object',
            properties: { kind: { type: 'string', const: 'square' }, side: { type: 'number' } },
            required: ['kind', 'side'],
          },
        ],
      },
    });
  });

  it('produces schemas that a 2020-12 validator accepts and applies', () => {
    class Address {
      @IsString() city!: string;
    }
    class Input {
      @IsUrl() url!: string;
      @IsArray() @IsString({ each: true }) tags!: string[];
      @ValidateNested() @Type(() => Address) address!: Address;
      @IsOptional() @ValidateNested() @Type(() => Input) next?: Input;
    }

    const check = compileJsonSchemaValidator(buildInputSchema(Input));

    expect(check({ url: 'https://a.dev', tags: ['x'], address: { city: 'Oslo' } }).ok).toBe(true);
    expect(check({ url: 'nope', tags: [1], address: {}, next: { tags: [] } })).toEqual({
      ok: false,
      issues: [
        { path: 'url', message: 'url must match format "uri"', constraint: 'format' },
        { path: 'tags[0]', message: 'tags[0] must be string', constraint: 'type' },
        { path: 'address.city', message: 'address.city is required', constraint: 'required' },
        { path: 'next.url', message: 'next.url is required', constraint: 'required' },
        { path: 'next.address', message: 'next.address is required', constraint: 'required' },
      ],
    });
  });

  describe('missing metadata', () => {
    it('rejects a DTO without class-validator decorators, naming it', () => {
      class Undecorated {
        url!: string;
      }

      let error: unknown;
      try {
        buildInputSchema(Undecorated);
      } catch (e) {
        error = e;
      }

      expect(error).toBeInstanceOf(DtoMetadataMissingError);
      expect(isDtoMetadataMissingError(error)).toBe(true);
      expect(isMcpDefinitionError(error)).toBe(true);
      expect((error as DtoMetadataMissingError).dto).toBe(Undecorated);
      expect((error as Error).message).toMatch(
        /^DTO Undecorated has no class-validator metadata\./,
      );
      expect((error as Error).message).toContain('Add class-validator decorators');
    });

    it('rejects a nested DTO without decorators, saying where it is used', () => {
      class Bare {
        city!: string;
      }
      class Holder {
        @ValidateNested() @Type(() => Bare) bare!: Bare;
      }

      expect(() => buildInputSchema(Holder)).toThrow(
        /^DTO Bare \(used by Holder\.bare\) has no class-validator metadata\./,
      );
    });

    it('rejects @ValidateNested() without @Type(), naming the property', () => {
      class Address {
        @IsString() city!: string;
      }
      class Holder {
        @ValidateNested() address!: Address;
      }

      let error: unknown;
      try {
        buildInputSchema(Holder);
      } catch (e) {
        error = e;
      }

      expect(isDtoMetadataMissingError(error)).toBe(true);
      expect((error as DtoMetadataMissingError).property).toBe('address');
      expect((error as Error).message).toMatch(
        /^Holder\.address has @ValidateNested\(\) but no @Type\(\) from class-transformer/,
      );
    });

    it('does not treat other errors as DtoMetadataMissingError', () => {
      expect(isDtoMetadataMissingError(new Error('x'))).toBe(false);
      expect(isDtoMetadataMissingError(null)).toBe(false);
    });
  });
});
