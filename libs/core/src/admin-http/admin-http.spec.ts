import { ForbiddenException } from '@nestjs/common';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpProtocolError } from '../errors/mcp-protocol.error';
import {
  adminMethodNotAllowed,
  adminRefusalOf,
  answerAdminProblem,
  authorizeAdminRequest,
  decodeAdminSegment,
  isJsonContentType,
  readAdminBody,
  sendAdminJson,
} from './admin-http';
import { AdminHttpProblem, isAdminHttpProblem } from './admin-http-problem';

/** A server on 127.0.0.1 whose every request `serve` answers; closed after each test. */
let server: Server | undefined;
async function serveWith(
  serve: (req: IncomingMessage, res: import('node:http').ServerResponse) => void | Promise<void>,
): Promise<string> {
  server = createServer((req, res) => void serve(req, res));
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

describe('answering', () => {
  it('sends JSON, no-store, with the headers given', async () => {
    const url = await serveWith((_req, res) =>
      sendAdminJson(res, 201, { made: 'é' }, { location: '/x' }),
    );
    const res = await fetch(url);
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('location')).toBe('/x');
    expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength('{"made":"é"}')));
    expect(await res.json()).toEqual({ made: 'é' });
  });

  it.each([
    [409, 'conflict'],
    [410, 'gone'],
    [429, 'too_many_requests'],
    [418, 'invalid_request'],
    [502, 'error'],
  ])('answers a %s problem with the error word %s', async (status, error) => {
    const url = await serveWith((_req, res) =>
      answerAdminProblem(res, new AdminHttpProblem(status, 'No', { 'retry-after': '2' })),
    );
    const res = await fetch(url);
    expect(res.status).toBe(status);
    expect(res.headers.get('retry-after')).toBe('2');
    expect(await res.json()).toEqual({ error, message: 'No' });
  });

  it('adds the reason when the problem has one', async () => {
    const url = await serveWith((_req, res) =>
      answerAdminProblem(res, new AdminHttpProblem(403, 'Not yours', {}, 'self-approval')),
    );
    expect(await (await fetch(url)).json()).toEqual({
      error: 'forbidden',
      message: 'Not yours',
      reason: 'self-approval',
    });
  });

  it('closes the connection when an answer has started already, rather than mixing two', async () => {
    const url = await serveWith((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('partial');
      answerAdminProblem(res, new AdminHttpProblem(500, 'Failed'));
    });
    await expect(fetch(url).then((r) => r.text())).rejects.toThrow();
  });

  it('names the allowed methods of a 405 in Allow', () => {
    const problem = adminMethodNotAllowed('PATCH', ['PUT', 'DELETE']);
    expect(problem).toMatchObject({
      status: 405,
      message: 'PATCH is not allowed here: PUT, DELETE',
      headers: { allow: 'PUT, DELETE' },
    });
    expect(adminMethodNotAllowed('POST', ['GET'], 'use GET').message).toBe('use GET');
    expect(isAdminHttpProblem(problem)).toBe(true);
    expect(isAdminHttpProblem(new Error('405'))).toBe(false);
  });
});

describe('refusals of authorize', () => {
  it('takes the status, message and challenge an error carries', () => {
    const unauthorized = new McpProtocolError(-32000, 'Unauthorized', undefined, 401, undefined, {
      'WWW-Authenticate': 'Bearer resource_metadata="https://x/.well-known"',
    });
    expect(adminRefusalOf(unauthorized)).toMatchObject({
      status: 401,
      message: 'Unauthorized',
      headers: { 'www-authenticate': 'Bearer resource_metadata="https://x/.well-known"' },
    });
    expect(adminRefusalOf(new ForbiddenException('No scope'))).toMatchObject({
      status: 403,
      message: 'No scope',
    });
    expect(adminRefusalOf({ statusCode: 404 })).toMatchObject({ status: 404, message: 'HTTP 404' });
    // Retry-After in whole seconds, rounded up.
    const down = new McpProtocolError(-32000, 'Down', undefined, 503, 1_500);
    expect(adminRefusalOf(down)?.headers).toEqual({ 'retry-after': '2' });
  });

  it('is no refusal without an HTTP error status', () => {
    for (const e of [
      new Error('boom'),
      { status: 200 },
      { status: 600 },
      { status: '403' },
      { status: 403.5 },
      'forbidden',
      undefined,
    ])
      expect(adminRefusalOf(e)).toBeUndefined();
  });

  it('authorizes: the identity, the refusal as a problem, any other error as it is', async () => {
    const req = {} as IncomingMessage;
    await expect(
      authorizeAdminRequest(req, () => Promise.resolve({ subject: 'alice' })),
    ).resolves.toEqual({ subject: 'alice' });
    await expect(
      authorizeAdminRequest(req, () => Promise.resolve(undefined)),
    ).resolves.toBeUndefined();
    const refused = authorizeAdminRequest(req, () =>
      Promise.reject(new ForbiddenException('No admin scope')),
    );
    await expect(refused).rejects.toBeInstanceOf(AdminHttpProblem);
    await expect(refused).rejects.toMatchObject({ status: 403, message: 'No admin scope' });
    const bug = new TypeError('store is undefined');
    await expect(authorizeAdminRequest(req, () => Promise.reject(bug))).rejects.toBe(bug);
  });
});

describe('request parts', () => {
  it('decodes a path segment, and refuses a bad encoding with the message given', () => {
    expect(decodeAdminSegment('https%3A%2F%2Fx%2Fa', 'bad')).toBe('https://x/a');
    expect(() => decodeAdminSegment('%E0%A4%A', 'The id is not valid')).toThrow(
      expect.objectContaining({ status: 400, message: 'The id is not valid' }),
    );
  });

  it('tells JSON content types', () => {
    for (const type of [
      'application/json',
      'Application/JSON; charset=utf-8',
      'application/merge-patch+json',
    ])
      expect(isJsonContentType(type)).toBe(true);
    for (const type of [
      undefined,
      '',
      'text/plain',
      'application/jsonp',
      'text/json',
      'application/x-www-form-urlencoded',
    ])
      expect(isJsonContentType(type)).toBe(false);
  });

  const post = (url: string, body: string | Buffer) =>
    new Promise<{ status: number; headers: Record<string, unknown>; text: string }>(
      (resolve, reject) => {
        const req = request(url, { method: 'POST' }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode!,
              headers: res.headers,
              text: Buffer.concat(chunks).toString(),
            }),
          );
        });
        req.on('error', reject);
        req.end(body);
      },
    );

  it('reads the body up to the limit', async () => {
    const url = await serveWith(async (req, res) =>
      sendAdminJson(res, 200, { text: await readAdminBody(req, 16) }),
    );
    const res = await post(url, '{"reason":"é"}');
    expect(JSON.parse(res.text)).toEqual({ text: '{"reason":"é"}' });
  });

  it('refuses a body over the limit with a 413 that closes the connection, unread', async () => {
    let read = false;
    const url = await serveWith(async (req, res) => {
      try {
        await readAdminBody(req, 16);
        read = true;
      } catch (e) {
        answerAdminProblem(res, e as AdminHttpProblem);
      }
    });
    const res = await post(url, 'x'.repeat(64 * 1024));
    expect(res.status).toBe(413);
    expect(res.headers.connection).toBe('close');
    expect(JSON.parse(res.text)).toEqual({
      error: 'payload_too_large',
      message: 'The body is larger than 16 bytes',
    });
    expect(read).toBe(false);
  });

  it('reads nothing of a stream a parser has read already', async () => {
    const url = await serveWith(async (req, res) => {
      for await (const chunk of req) void chunk;
      sendAdminJson(res, 200, { text: await readAdminBody(req, 16) });
    });
    expect(JSON.parse((await post(url, 'abc')).text)).toEqual({ text: '' });
  });
});
