import { Reflector } from '@nestjs/core';
import { isMcpDefinitionError } from '../errors/mcp-definition.error';
import { Completion, Prompt, PromptMetadata } from './prompt.decorator';
import { Resource, ResourceTemplate } from './resource.decorator';
import { Tool, ToolMetadata } from './tool.decorator';

const reflector = new Reflector();

describe('MCP decorators', () => {
  it('@Tool records its options with the method name as the default name', () => {
    class Tools {
      @Tool({ description: 'd', annotations: { readOnlyHint: true } })
      lookUp() {}
    }
    expect(reflector.get(ToolMetadata, Reflect.get(Tools.prototype, 'lookUp'))).toEqual({
      name: 'lookUp',
      description: 'd',
      annotations: { readOnlyHint: true },
    });
  });

  it('@Tool leaves the method itself untouched, so other decorators keep their metadata', () => {
    const original = function scrape() {};
    class Tools {}
    const descriptor = { value: original, writable: true, configurable: true };
    Tool({ name: 'scrape' })(Tools.prototype, 'scrape', descriptor);
    expect(descriptor.value).toBe(original);
  });

  it.each(['', 'has space', 'slash/name', 'x'.repeat(129), 'ünïcode'])(
    '@Tool rejects the invalid name %j when the class is defined',
    (name) => {
      let error: unknown;
      try {
        class Tools {
          @Tool({ name })
          m() {}
        }
        void Tools;
      } catch (e) {
        error = e;
      }
      expect(isMcpDefinitionError(error)).toBe(true);
      expect((error as Error).message).toContain(`Invalid tool name "${name}" on Tools.m`);
    },
  );

  it.each(['a', 'get_weather', 'ns.tool-v2', 'A'.repeat(128)])(
    '@Tool accepts the valid name %j',
    (name) => {
      expect(() => {
        class Tools {
          @Tool({ name })
          m() {}
        }
        void Tools;
      }).not.toThrow();
    },
  );

  it('@Resource requires an absolute URI', () => {
    expect(() => {
      class R {
        @Resource({ uri: 'relative/path' })
        m() {}
      }
      void R;
    }).toThrow(/"uri" must be an absolute URI/);
  });

  it('@ResourceTemplate requires at least one template variable', () => {
    expect(() => {
      class R {
        @ResourceTemplate({ uriTemplate: 'page://fixed' })
        m() {}
      }
      void R;
    }).toThrow(/RFC 6570 template/);
  });

  it('@Completion requires exactly one target', () => {
    expect(() => {
      class C {
        @Completion({ argument: 'x' } as never)
        m() {}
      }
      void C;
    }).toThrow(/exactly one of "prompt" or "resourceTemplate"/);
    expect(() => {
      class C {
        @Completion({ argument: 'x', prompt: 'p', resourceTemplate: 't://{a}' } as never)
        m() {}
      }
      void C;
    }).toThrow(McpDefinitionErrorLike());
  });

  it('@Prompt defaults its name to the method name', () => {
    class P {
      @Prompt({ description: 'p' })
      summarise() {}
    }
    expect(reflector.get(PromptMetadata, Reflect.get(P.prototype, 'summarise'))).toEqual({
      name: 'summarise',
      description: 'p',
    });
  });
});

function McpDefinitionErrorLike(): RegExp {
  return /Invalid @Completion\(\)/;
}
