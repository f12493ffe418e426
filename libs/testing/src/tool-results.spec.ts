import { toolError, toolText } from './tool-results';

describe('toolText and toolError', () => {
  it('joins the text blocks of a result', () => {
    expect(
      toolText({ content: [{ type: 'text', text: 'a' }, { type: 'image' }, { text: 'b' }] }),
    ).toBe('ab');
    expect(toolText({})).toBe('');
  });

  it('parses the structured error of a failed call', () => {
    const body = { code: 'RATE_LIMITED', message: 'slow down', retryable: true, retryAfterMs: 5 };
    expect(toolError({ isError: true, content: [{ text: JSON.stringify(body) }] })).toEqual(body);
  });

  it('throws on a call that did not fail, or on a body without a code', () => {
    expect(() => toolError({ content: [{ text: '{"code":"X"}' }] })).toThrow(/Expected a failed/);
    expect(() => toolError({ isError: true, content: [{ text: 'boom' }] })).toThrow(
      /not a structured error/,
    );
    expect(() => toolError({ isError: true, content: [{ text: '{"message":"x"}' }] })).toThrow(
      /no code/,
    );
  });
});
