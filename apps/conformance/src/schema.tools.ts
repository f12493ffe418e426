import { Injectable } from '@nestjs/common';
import { Args, Tool } from '@rampart/core';
import { IsString } from 'class-validator';
import { JSONSchema } from 'class-validator-jsonschema';

/** Arguments of `test_custom_header`: `region` is repeated in the `Mcp-Param-Region` header. */
export class RegionInput {
  @JSONSchema({ description: 'Region to route the call to', 'x-mcp-header': 'Region' })
  @IsString()
  region!: string;
}

/** A hand-written JSON Schema 2020-12 input, sent in `tools/list` exactly as written. */
const CONTACT_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  type: 'object' as const,
  $defs: {
    address: {
      $anchor: 'addressDef',
      type: 'object',
      properties: { street: { type: 'string' }, city: { type: 'string' } },
    },
  },
  properties: {
    name: { type: 'string' },
    address: { $ref: '#/$defs/address' },
    contactMethod: { type: 'string', enum: ['phone', 'email'] },
    phone: { type: 'string' },
    email: { type: 'string' },
  },
  allOf: [{ anyOf: [{ required: ['phone'] }, { required: ['email'] }] }],
  if: { properties: { contactMethod: { const: 'phone' } }, required: ['contactMethod'] },
  // oxlint-disable-next-line unicorn/no-thenable -- `then` is a JSON Schema keyword here
  then: { required: ['phone'] },
  else: { required: ['email'] },
  additionalProperties: false,
};

/** Tools whose schemas carry more than types: raw JSON Schema 2020-12, routing headers. */
@Injectable()
export class SchemaTools {
  @Tool({
    name: 'json_schema_2020_12_tool',
    description:
      'Takes contact details described with JSON Schema 2020-12 keywords ($defs, $anchor, allOf, if/then/else)',
    input: CONTACT_SCHEMA,
  })
  contact(@Args() contact: Record<string, unknown>) {
    return `Contact accepted: ${JSON.stringify(contact)}`;
  }

  @Tool({
    name: 'test_custom_header',
    description:
      'Echoes its region. On 2026-07-28 the client repeats it in the Mcp-Param-Region header (x-mcp-header), which must match the body',
  })
  customHeader(@Args() { region }: RegionInput) {
    return `Region: ${region}`;
  }
}
