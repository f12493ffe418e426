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

  it('@Tool records a version and a deprecation as given', () => {
    class Tools {
      @Tool({ version: '2.1', deprecated: { since: '3', replacedBy: 'look_up_v3' } })
      lookUp() {}
    }
    expect(reflector.get(ToolMetadata, Reflect.get(Tools.prototype, 'lookUp'))).toEqual({
      name: 'lookUp',
      version: '2.1',
      deprecated: { since: '3', replacedBy: 'look_up_v3' },
    });
  });

  it.each([
    [{ version: 'v2' }, `"version" must be MAJOR or MAJOR.MINOR (e.g. '2', '2.1' or 2), got "v2"`],
    [
      { version: '1.2.3' },
      `"version" must be MAJOR or MAJOR.MINOR (e.g. '2', '2.1' or 2), got "1.2.3"`,
    ],
    [{ version: '01' }, `"version" must be MAJOR or MAJOR.MINOR (e.g. '2', '2.1' or 2), got "01"`],
    [{ version: 1.5 }, `"version" must be MAJOR or MAJOR.MINOR (e.g. '2', '2.1' or 2), got 1.5`],
    [{ version: -1 }, `"version" must be MAJOR or MAJOR.MINOR (e.g. '2', '2.1' or 2), got -1`],
    [
      { deprecated: 'yes' },
      `"deprecated" must be a boolean or { since?, reason?, replacedBy? }, got "yes"`,
    ],
    [
      { deprecated: null },
      `"deprecated" must be a boolean or { since?, reason?, replacedBy? }, got null`,
    ],
    [
      { deprecated: { until: '3' } },
      `"deprecated.until" is not an option: use since, reason, replacedBy`,
    ],
    [{ deprecated: { reason: '' } }, `"deprecated.reason" must be a non-empty string, got ""`],
    [{ deprecated: { since: 2 } }, `"deprecated.since" must be a non-empty string, got 2`],
    [
      { _meta: { 'io.rampart/version': '2' } },
      `"_meta" must not set "io.rampart/version": use the "version" option`,
    ],
    [
      { _meta: { 'io.rampart/deprecated': true } },
      `"_meta" must not set "io.rampart/deprecated": use the "deprecated" option`,
    ],
  ])('@Tool rejects %j when the class is defined', (options, problem) => {
    expect(() => {
      class Tools {
        @Tool(options as never)
        m() {}
      }
      void Tools;
    }).toThrow(`Invalid @Tool() on Tools.m: ${problem}`);
  });

  it('@Resource, @ResourceTemplate and @Prompt check version and deprecated when the class is defined', () => {
    expect(() => {
      class R {
        @Resource({ uri: 'config://app', version: 'latest' })
        m() {}
      }
      void R;
    }).toThrow(`Invalid @Resource() on R.m: "version" must be MAJOR or MAJOR.MINOR`);
    expect(() => {
      class R {
        @ResourceTemplate({ uriTemplate: 'page://{id}', deprecated: [] as never })
        m() {}
      }
      void R;
    }).toThrow(`Invalid @ResourceTemplate() on R.m: "deprecated" must be a boolean`);
    let error: unknown;
    try {
      class P {
        @Prompt({ deprecated: { replacedBy: ' ' } })
        m() {}
      }
      void P;
    } catch (e) {
      error = e;
    }
    expect(isMcpDefinitionError(error)).toBe(true);
    expect((error as Error).message).toBe(
      'Invalid @Prompt() on P.m: "deprecated.replacedBy" must be a non-empty string, got " "',
    );
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

describe('@Tool execution', () => {
  it('records execution.taskSupport and refuses unknown values when the class is defined', () => {
    class Ok {
      @Tool({ name: 'ok', execution: { taskSupport: 'required' } })
      ok() {}
    }
    expect(
      new Reflector().get(
        ToolMetadata,
        Object.getOwnPropertyDescriptor(Ok.prototype, 'ok')!.value as () => void,
      ),
    ).toMatchObject({
      execution: { taskSupport: 'required' },
    });
    expect(() => {
      class Bad {
        @Tool({ name: 'bad', execution: { taskSupport: 'always' as never } })
        bad() {}
      }
      return Bad;
    }).toThrow(/execution.taskSupport" must be one of 'forbidden', 'optional', 'required'/);
  });
});
