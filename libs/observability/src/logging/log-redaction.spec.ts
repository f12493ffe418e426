import { Writable } from 'node:stream';
import { createCallLogger } from './call-logger.factory';
import { DEFAULT_LOG_REDACT_FIELDS, redactFields, redactQuery } from './log-redaction';

const fields = new Set(DEFAULT_LOG_REDACT_FIELDS);

describe('log redaction', () => {
  it('hides credential fields at the top and one level down, in a copy', () => {
    const line = {
      token: 't0',
      user: { api_key: 'k1', name: 'ada' },
      tokenCount: 12,
      nested: { deeper: { access_token: 'left to the arguments redactor' } },
    };
    expect(redactFields(fields)(line)).toEqual({
      token: '[REDACTED]',
      user: { api_key: '[REDACTED]', name: 'ada' },
      tokenCount: 12,
      nested: { deeper: { access_token: 'left to the arguments redactor' } },
    });
    expect(line.token).toBe('t0');
    expect(line.user.api_key).toBe('k1');
  });

  it('returns a line without credentials as it is', () => {
    const line = { correlationId: 'c', durationMs: 1, arguments: { a: 1 } };
    expect(redactFields(fields)(line)).toBe(line);
  });

  it('hides credential query parameters of a URL, encoded or not', () => {
    expect(redactQuery('/metrics?access_token=abc&x=1', fields)).toBe(
      '/metrics?access_token=[REDACTED]&x=1',
    );
    expect(redactQuery('/cb?api%5Fkey=abc&token&x', fields)).toBe(
      '/cb?api%5Fkey=[REDACTED]&token=[REDACTED]&x',
    );
    expect(redactQuery('/plain', fields)).toBe('/plain');
    expect(redactQuery('/bad?%E0%A4%A=1', fields)).toBe('/bad?%E0%A4%A=1');
  });

  it('gives the pino logger the credential headers of request lines and the fields', () => {
    const lines: string[] = [];
    const out = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = createCallLogger({ destination: out });
    logger.info({
      req: {
        headers: { authorization: 'Bearer abc', 'x-api-key': 'k2', cookie: 's=1', accept: '*/*' },
        query: { access_token: 'q3' },
      },
      res: { headers: { 'set-cookie': 's=2' } },
      token: 't4',
    });
    const line = JSON.parse(lines.join('')) as Record<string, unknown>;
    expect(line).toMatchObject({
      req: {
        headers: {
          authorization: '[REDACTED]',
          'x-api-key': '[REDACTED]',
          cookie: '[REDACTED]',
          accept: '*/*',
        },
        query: { access_token: '[REDACTED]' },
      },
      res: { headers: { 'set-cookie': '[REDACTED]' } },
      token: '[REDACTED]',
    });
  });

  it('takes other fields and paths, and nothing with empty lists', () => {
    const lines: string[] = [];
    const out = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    createCallLogger({
      destination: out,
      redactFields: ['session'],
      redactPaths: ['req.headers["x-tenant-key"]'],
    }).info({ session: 's', token: 't', req: { headers: { 'x-tenant-key': 'k' } } });
    createCallLogger({ destination: out, redactFields: [], redactPaths: [] }).info({ token: 't' });
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toMatchObject([
      { session: '[REDACTED]', token: 't', req: { headers: { 'x-tenant-key': '[REDACTED]' } } },
      { token: 't' },
    ]);
  });
});
