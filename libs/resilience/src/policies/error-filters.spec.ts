import { BadRequestException, HttpException, NotFoundException } from '@nestjs/common';
import { ToolError } from '@rampart/core';
import { BrokenCircuitError, TaskCancelledError } from 'cockatiel';
import { countsAsFailure, isCallerFault, retryFilter } from './error-filters';

class UpstreamError extends Error {}

const cases: [string, unknown, { counts: boolean; retried: boolean; caller: boolean }][] = [
  ['a plain error', new Error('boom'), { counts: true, retried: true, caller: false }],
  [
    'a retryable tool error',
    new ToolError('NETWORK_ERROR', 'reset', { retryable: true }),
    { counts: true, retried: true, caller: false },
  ],
  [
    'a tool error that is not retryable (e.g. an upstream 404)',
    new ToolError('UPSTREAM_ERROR', '404'),
    { counts: false, retried: false, caller: false },
  ],
  [
    'a caller fault',
    new ToolError('INVALID_URL', 'credentials', { fault: 'caller' }),
    { counts: false, retried: false, caller: true },
  ],
  [
    'a caller fault that claims to be retryable',
    new ToolError('INVALID_URL', 'credentials', { fault: 'caller', retryable: true }),
    { counts: false, retried: false, caller: true },
  ],
  [
    'arguments refused by validation',
    new ToolError('INVALID_ARGUMENTS', 'url: must be a URL'),
    { counts: false, retried: false, caller: true },
  ],
  [
    'an upstream fault that is not retryable',
    new ToolError('UPSTREAM_GARBLED', 'garbage', { fault: 'upstream' }),
    { counts: true, retried: false, caller: false },
  ],
  [
    'a retryable upstream fault',
    new ToolError('UPSTREAM_ERROR', '503', { fault: 'upstream', retryable: true }),
    { counts: true, retried: true, caller: false },
  ],
  ["Nest's 400", new BadRequestException('bad'), { counts: false, retried: false, caller: false }],
  ["Nest's 404", new NotFoundException(), { counts: false, retried: false, caller: false }],
  [
    "Nest's 429",
    new HttpException('slow down', 429),
    { counts: true, retried: true, caller: false },
  ],
  ["Nest's 503", new HttpException('down', 503), { counts: true, retried: true, caller: false }],
  ['an open circuit', new BrokenCircuitError(), { counts: false, retried: false, caller: false }],
  ['a timed-out attempt', new TaskCancelledError(), { counts: true, retried: true, caller: false }],
];

describe('error filters', () => {
  it.each(cases)('%s', (_name, error, expected) => {
    expect({
      counts: countsAsFailure(error),
      retried: retryFilter(undefined)(error),
      caller: isCallerFault(error),
    }).toEqual(expected);
  });

  it('never retries a caller fault, whatever `on` says', () => {
    const callerFault = new ToolError('INVALID_URL', 'credentials', { fault: 'caller' });
    expect(retryFilter(() => true)(callerFault)).toBe(false);
    expect(retryFilter([ToolError])(callerFault)).toBe(false);
  });

  it('retries only the errors `on` names, and always a timed-out attempt', () => {
    const onUpstream = retryFilter([UpstreamError]);
    expect(onUpstream(new UpstreamError())).toBe(true);
    expect(onUpstream(new Error('other'))).toBe(false);
    expect(onUpstream(new TaskCancelledError())).toBe(true);
  });
});
