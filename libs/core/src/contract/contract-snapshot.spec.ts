import { Injectable } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { IsIn, IsOptional, IsString } from 'class-validator';
import { Args } from '../decorators/params.decorator';
import { Prompt } from '../decorators/prompt.decorator';
import { Resource, ResourceTemplate } from '../decorators/resource.decorator';
import { Tool } from '../decorators/tool.decorator';
import { McpModule } from '../mcp.module';
import { McpServers } from '../mcp-servers.service';
import { isContractError } from './contract.error';
import { contractOf, parseContract, serializeContract } from './contract-snapshot';

class SearchInput {
  @IsString()
  q!: string;

  @IsOptional()
  @IsIn(['title', 'body'])
  field?: string;
}

class CardArgs {
  @IsString()
  name!: string;

  @IsOptional()
  @IsString()
  tone?: string;
}

@Injectable()
class Catalog {
  @Tool({
    name: 'search',
    version: 2,
    description: 'Search',
    annotations: { readOnlyHint: true },
    output: { type: 'object', properties: { hits: { type: 'array' } } },
    _meta: { 'example.com/owner': 'search team' },
  })
  search(@Args() _input: SearchInput) {
    return { hits: [] };
  }

  @Tool({ name: 'search_v1', version: '1', deprecated: { replacedBy: 'search' } })
  searchV1() {
    return '';
  }

  @Resource({ uri: 'shop://readme', mimeType: 'text/plain', deprecated: true })
  readme() {
    return '';
  }

  @ResourceTemplate({ uriTemplate: 'shop://items/{id}', name: 'item', version: '1.2' })
  item() {
    return '';
  }

  @Prompt({ name: 'card', title: 'Card' })
  card(@Args() _args: CardArgs) {
    return '';
  }
}

describe('contractOf / serializeContract / parseContract', () => {
  it('records what the lists send: schemas, words, annotations, versions, deprecations', async () => {
    const module = await Test.createTestingModule({
      imports: [McpModule.forRoot({ name: 'shop', version: '1.0.0', http: false })],
      providers: [Catalog],
    }).compile();
    await module.init();
    try {
      const contract = contractOf(
        module
          .get(McpServers)
          .all()
          .map((h) => h.registry),
      );
      expect(contract).toEqual({
        rampartContract: 1,
        servers: {
          shop: {
            tools: {
              search: {
                version: '2',
                description: 'Search',
                annotations: { readOnlyHint: true },
                inputSchema: {
                  $schema: 'https://json-schema.org/draft/2020-12/schema',
                  type: 'object',
                  properties: {
                    field: { type: 'string', enum: ['title', 'body'] },
                    q: { type: 'string' },
                  },
                  required: ['q'],
                },
                outputSchema: { type: 'object', properties: { hits: { type: 'array' } } },
              },
              search_v1: {
                version: '1',
                deprecated: { replacedBy: 'search' },
                inputSchema: { type: 'object', properties: {} },
              },
            },
            resources: {
              'shop://readme': { name: 'readme', mimeType: 'text/plain', deprecated: {} },
            },
            resourceTemplates: { 'shop://items/{id}': { name: 'item', version: '1.2' } },
            prompts: {
              card: {
                title: 'Card',
                arguments: [
                  { name: 'name', required: true },
                  { name: 'tone', required: false },
                ],
              },
            },
          },
        },
      });
      // Keys sorted at every level, so generation order never shows in the file.
      expect(Object.keys(contract.servers.shop.tools.search.inputSchema)).toEqual([
        '$schema',
        'properties',
        'required',
        'type',
      ]);
    } finally {
      await module.close();
    }
  });

  it('writes tools first and each entry’s version and words before its schemas, and reads it back', () => {
    const contract = parseContract(
      JSON.stringify({
        servers: {
          b: {
            prompts: {},
            resourceTemplates: {},
            resources: {},
            tools: { t: { inputSchema: { type: 'object' }, description: 'd', version: '2' } },
          },
          a: { prompts: {}, resourceTemplates: {}, resources: {}, tools: {} },
        },
        rampartContract: 1,
      }),
      'x.json',
    );
    const text = serializeContract(contract);
    expect(text).toBe(
      `${JSON.stringify(
        {
          rampartContract: 1,
          servers: {
            a: { tools: {}, resources: {}, resourceTemplates: {}, prompts: {} },
            b: {
              tools: { t: { version: '2', description: 'd', inputSchema: { type: 'object' } } },
              resources: {},
              resourceTemplates: {},
              prompts: {},
            },
          },
        },
        null,
        2,
      )}\n`,
    );
    expect(parseContract(text, 'x.json')).toEqual(contract);
  });

  it.each([
    ['not json', 'x.json is not a rampart contract file: Unexpected token'],
    ['[]', 'x.json is not a rampart contract file: it is not a JSON object'],
    [
      '{"rampartContract":2,"servers":{}}',
      'x.json is not a rampart contract file: "rampartContract" is 2, not 1 (a newer rampart-contract may have written it)',
    ],
    [
      '{"rampartContract":1,"servers":{"s":{"tools":{},"resources":{},"prompts":{}}}}',
      'x.json is not a rampart contract file: "servers.s.resourceTemplates" is not an object',
    ],
    [
      '{"rampartContract":1,"servers":{"s":{"tools":{"t":{}},"resources":{},"resourceTemplates":{},"prompts":{}}}}',
      'x.json is not a rampart contract file: tool "t" of server "s" has no inputSchema',
    ],
  ])('refuses %s with a ContractError naming the file', (text, message) => {
    let error: unknown;
    try {
      parseContract(text, 'x.json');
    } catch (e) {
      error = e;
    }
    expect(isContractError(error)).toBe(true);
    expect((error as Error).message).toContain(message);
  });
});
