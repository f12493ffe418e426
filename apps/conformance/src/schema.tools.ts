import { Injectable } from '@nestjs/common';
import { Args, Tool } from '@rampart/core';

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
  then: { required: ['phone'] },
  else: { required: ['email'] },
  additionalProperties: false,
};

/** Tools whose schemas are given as JSON Schema instead of a DTO. */
@Injectable()
export class SchemaTools {
  @Tool({
    name: 'json_schema_2020_12_tool',
    description: 'Takes contact details described with JSON Schema 2020-12 keywords ($defs, $anchor, allOf, if/then/else)',
    input: CONTACT_SCHEMA,
  })
  contact(@Args() contact: Record<string, unknown>) {
    return `Contact accepted: ${JSON.stringify(contact)}`;
  }
}
