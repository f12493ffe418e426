import 'reflect-metadata';
import { Type } from 'class-transformer';
import {
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Min,
  Validate,
  ValidateNested,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
} from 'class-validator';
import { isDtoMetadataMissingError } from './dto-metadata-missing.error';
import { compileDtoValidator } from './dto-validator';
import type { ValidationResult } from './validation-result.interface';

class Address {
  @IsString() city!: string;
  @IsOptional() @IsString() zip?: string;
}

class LineItem {
  @IsString() sku!: string;
  @IsInt() @Min(1) quantity!: number;
}

class Order {
  @IsUrl() callback!: string;
  @ValidateNested() @Type(() => Address) address!: Address;
  @IsArray() @ValidateNested({ each: true }) @Type(() => LineItem) items!: LineItem[];
  @IsOptional() @IsArray() @IsString({ each: true }) tags?: string[];
}

const validOrder = () => ({
  callback: 'https://shop.example/hook',
  address: { city: 'Lyon' },
  items: [{ sku: 'A-1', quantity: 2 }],
});

/** Narrows a result that must be synchronous. */
function sync<T>(result: ValidationResult<T> | Promise<ValidationResult<T>>): ValidationResult<T> {
  if (result instanceof Promise) throw new Error('expected a synchronous result');
  return result;
}

describe('compileDtoValidator', () => {
  it('returns a DTO instance, nested DTOs included, synchronously', () => {
    const validate = compileDtoValidator(Order);

    const result = sync(validate(validOrder()));

    expect(validate.async).toBe(false);
    expect(validate.dto).toBe(Order);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value).toBeInstanceOf(Order);
    expect(result.value.address).toBeInstanceOf(Address);
    expect(result.value.items[0]).toBeInstanceOf(LineItem);
    expect(result.value).toEqual(validOrder());
  });

  it('strips undeclared properties without reporting them', () => {
    const validate = compileDtoValidator(Order);

    const result = sync(
      validate({ ...validOrder(), admin: true, address: { city: 'Lyon', extra: 1 } }),
    );

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value).not.toHaveProperty('admin');
    expect(result.value.address).not.toHaveProperty('extra');
  });

  it('reports issues with paths into nested objects and arrays', () => {
    const validate = compileDtoValidator(Order);

    const result = sync(
      validate({
        callback: 'not a url',
        address: { city: 7 },
        items: [
          { sku: 'A-1', quantity: 1 },
          { sku: 'B-2', quantity: 0 },
        ],
        tags: ['ok', 3, 'fine', false],
      }),
    );

    expect(result).toEqual({
      ok: false,
      issues: [
        { path: 'callback', message: 'callback must be a URL address', constraint: 'isUrl' },
        { path: 'address.city', message: 'city must be a string', constraint: 'isString' },
        {
          path: 'items[1].quantity',
          message: 'quantity must not be less than 1',
          constraint: 'min',
        },
        { path: 'tags[1]', message: 'each value in tags must be a string', constraint: 'isString' },
        { path: 'tags[3]', message: 'each value in tags must be a string', constraint: 'isString' },
      ],
    });
  });

  it('reports missing required properties and a nested value that is not an object', () => {
    const validate = compileDtoValidator(Order);

    const result = sync(validate({ address: 'Lyon', items: [] }));

    expect(result).toEqual({
      ok: false,
      issues: [
        { path: 'callback', message: 'callback must be a URL address', constraint: 'isUrl' },
        {
          path: 'address',
          message: 'nested property address must be either object or array',
          constraint: 'nestedValidation',
        },
      ],
    });
  });

  it('does not convert types implicitly', () => {
    class Page {
      @IsInt() page!: number;
    }

    expect(sync(compileDtoValidator(Page)({ page: '2' }))).toEqual({
      ok: false,
      issues: [{ path: 'page', message: 'page must be an integer number', constraint: 'isInt' }],
    });
  });

  it.each([
    ['null', null, 'null'],
    ['an array', [{ callback: 'x' }], 'an array'],
    ['a string', '{"callback":"x"}', 'a string'],
    ['a number', 42, 'a number'],
    ['a boolean', true, 'a boolean'],
  ])('gives one issue at path "" for %s, without throwing', (_name, args, got) => {
    const validate = compileDtoValidator(Order);

    expect(sync(validate(args))).toEqual({
      ok: false,
      issues: [
        {
          path: '',
          message: `The arguments must be a JSON object, got ${got}.`,
          constraint: 'isObject',
        },
      ],
    });
  });

  it('treats absent arguments as an empty object', () => {
    class Filters {
      @IsOptional() @IsIn(['asc', 'desc']) order?: string;
    }
    class Needs {
      @IsString() q!: string;
    }

    const filters = sync(compileDtoValidator(Filters)(undefined));
    expect(filters.ok).toBe(true);
    expect(filters.ok && filters.value).toBeInstanceOf(Filters);
    expect(sync(compileDtoValidator(Needs)(undefined))).toEqual({
      ok: false,
      issues: [{ path: 'q', message: 'q must be a string', constraint: 'isString' }],
    });
  });

  it('is not fooled by a __proto__ key', () => {
    class Target {
      @IsUrl() url!: string;
    }

    const args = JSON.parse('{"__proto__": {"url": "https://a.dev"}, "url": "nope"}') as unknown;

    expect(sync(compileDtoValidator(Target)(args))).toEqual({
      ok: false,
      issues: [{ path: 'url', message: 'url must be a URL address', constraint: 'isUrl' }],
    });
  });

  describe('asynchronous constraints', () => {
    @ValidatorConstraint({ name: 'isFreeSlug', async: true })
    class IsFreeSlug implements ValidatorConstraintInterface {
      async validate(value: unknown): Promise<boolean> {
        await new Promise((resolve) => setImmediate(resolve));
        return value !== 'taken';
      }
      defaultMessage(): string {
        return 'slug is taken';
      }
    }
    class Site {
      @IsString() @Validate(IsFreeSlug) slug!: string;
    }
    class Account {
      @IsString() owner!: string;
      @ValidateNested() @Type(() => Site) site!: Site;
    }

    it('returns a Promise and runs them', async () => {
      const validate = compileDtoValidator(Site);

      const pending = validate({ slug: 'taken' });

      expect(validate.async).toBe(true);
      expect(pending).toBeInstanceOf(Promise);
      await expect(pending).resolves.toEqual({
        ok: false,
        issues: [{ path: 'slug', message: 'slug is taken', constraint: 'isFreeSlug' }],
      });
      const ok = await validate({ slug: 'free' });
      expect(ok.ok && ok.value).toBeInstanceOf(Site);
    });

    it('finds them in nested DTOs', async () => {
      const validate = compileDtoValidator(Account);

      expect(validate.async).toBe(true);
      await expect(validate({ owner: 'ann', site: { slug: 'taken' } })).resolves.toEqual({
        ok: false,
        issues: [{ path: 'site.slug', message: 'slug is taken', constraint: 'isFreeSlug' }],
      });
    });

    it('still answers non-object arguments with one issue', async () => {
      await expect(compileDtoValidator(Site)(null)).resolves.toEqual({
        ok: false,
        issues: [
          {
            path: '',
            message: 'The arguments must be a JSON object, got null.',
            constraint: 'isObject',
          },
        ],
      });
    });
  });

  describe('metadata checked at compile time', () => {
    it('rejects a DTO without decorators', () => {
      class Undecorated {
        q!: string;
      }

      expect(() => compileDtoValidator(Undecorated)).toThrow(
        /^DTO Undecorated has no class-validator metadata\. Add class-validator decorators/,
      );
    });

    it('rejects @ValidateNested() without @Type(), which would skip the nested value', () => {
      class Holder {
        @ValidateNested() address!: Address;
      }

      let error: unknown;
      try {
        compileDtoValidator(Holder);
      } catch (e) {
        error = e;
      }

      expect(isDtoMetadataMissingError(error)).toBe(true);
      expect((error as Error).message).toContain('Holder.address has @ValidateNested()');
    });
  });
});
