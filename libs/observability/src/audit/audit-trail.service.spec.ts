import {
  McpProtocolError,
  RampartChannel,
  type AccessEvent,
  type McpRequest,
  type McpServers,
} from '@rampart/core';
import { channel } from 'node:diagnostics_channel';
import { CallRecorder } from '../recording/call-recorder';
import type { AuditOptions } from './audit-options.interface';
import type { AuditRecord } from './audit-record.interface';
import type { AuditSink } from './audit-sink.interface';
import { AuditTrail } from './audit-trail.service';

class MemorySink implements AuditSink {
  readonly records: AuditRecord[] = [];
  write(record: AuditRecord): void {
    this.records.push(record);
  }
}

const access = channel(RampartChannel.access);

const request = (overrides: Partial<McpRequest> = {}): McpRequest => ({
  server: 'srv',
  method: 'tools/call',
  id: 1,
  target: 'read',
  arguments: { url: 'https://example.com', token: 'secret-token' },
  origin: { transport: 'http', era: 'modern', identity: { subject: 'bob', tenant: 't1' } },
  ...overrides,
});

const forbidden = () =>
  new McpProtocolError(-32000, 'Forbidden', { error: 'insufficient_scope' }, 403);

/** A denial as the security hook publishes it while it admits `req`. */
const denial = (req: McpRequest, reason: string, more: Partial<AccessEvent> = {}): AccessEvent => ({
  server: req.server,
  stage: 'authorization',
  reason,
  method: req.method,
  target: req.target,
  subject: req.origin.identity?.subject,
  tenant: req.origin.identity?.tenant,
  ...more,
});

describe('AuditTrail and access refusals', () => {
  let recorder: CallRecorder;
  let sink: MemorySink;
  let trail: AuditTrail;

  const boot = async (options: AuditOptions = {}) => {
    recorder = new CallRecorder();
    sink = new MemorySink();
    trail = new AuditTrail(options, sink, recorder);
    await trail.onModuleInit();
  };
  afterEach(() => trail.onApplicationShutdown());

  it('audits refused credentials on their own, with the address and never a request', async () => {
    await boot();
    access.publish({
      server: 'srv',
      stage: 'authentication',
      reason: 'bad-signature',
      address: '127.0.0.1',
    } satisfies AccessEvent);
    expect(sink.records).toEqual([
      {
        at: expect.any(String),
        server: 'srv',
        method: 'authentication',
        decision: 'denied',
        outcome: 'error',
        reason: 'bad-signature',
        address: '127.0.0.1',
        durationMs: 0,
        correlationId: expect.any(String),
      },
    ]);
  });

  it('audits a call refused at admission once: its record, denied, with the reason', async () => {
    await boot();
    const req = request();
    // As the request hooks run it: the hook publishes, throws, and the recorder is told.
    access.publish(denial(req, 'insufficient-scope'));
    recorder.refused(req, forbidden());
    expect(sink.records).toEqual([
      expect.objectContaining({
        server: 'srv',
        method: 'tools/call',
        target: 'read',
        subject: 'bob',
        tenant: 't1',
        decision: 'denied',
        outcome: 'error',
        reason: 'insufficient-scope',
        era: 'modern',
        transport: 'http',
        arguments: { url: 'https://example.com', token: '[REDACTED]' },
      }),
    ]);
    expect(sink.records[0]).not.toHaveProperty('policies');
  });

  it('names the policies that decided a policy denial', async () => {
    await boot();
    const req = request();
    access.publish(denial(req, 'policy', { policies: ['forbid-weekends', 'p7'] }));
    recorder.refused(req, forbidden());
    expect(sink.records).toEqual([
      expect.objectContaining({
        decision: 'denied',
        reason: 'policy',
        policies: ['forbid-weekends', 'p7'],
      }),
    ]);
  });

  it('audits a hidden primitive answered as unknown as denied, with the reason (once)', async () => {
    await boot();
    const req = request({ target: 'purge' });
    access.publish(denial(req, 'role'));
    await expect(
      recorder.around(req, () => Promise.reject(new McpProtocolError(-32602, 'Unknown tool'))),
    ).rejects.toThrow('Unknown tool');
    expect(sink.records).toEqual([
      expect.objectContaining({
        target: 'purge',
        decision: 'denied',
        reason: 'role',
        errorCode: '-32602',
      }),
    ]);
  });

  it('audits a denial whatever the method, and leaves other calls of unaudited methods out', async () => {
    await boot({ methods: ['tools/call'] });
    const read = request({ method: 'resources/read', target: 'file:///secret' });
    access.publish(denial(read, 'insufficient-scope'));
    recorder.refused(read, forbidden());
    await recorder.around(request({ method: 'resources/read', target: 'file:///a' }), () =>
      Promise.resolve({ contents: [] }),
    );
    expect(sink.records.map((r) => [r.method, r.target, r.decision, r.reason])).toEqual([
      ['resources/read', 'file:///secret', 'denied', 'insufficient-scope'],
    ]);
  });

  it('joins each denial to its own request when callers interleave', async () => {
    await boot();
    const unknown = (req: McpRequest) =>
      recorder
        .around(req, () => Promise.reject(new McpProtocolError(-32602, 'Unknown tool')))
        .catch(() => undefined);
    const bob = request();
    const carol = request({
      origin: { transport: 'http', era: 'modern', identity: { subject: 'carol' } },
    });
    access.publish(denial(bob, 'killed'));
    access.publish(denial(carol, 'role'));
    await unknown(carol);
    await recorder.around(request({ target: 'other' }), () => Promise.resolve({ content: [] }));
    await unknown(bob);
    expect(sink.records.map((r) => [r.subject, r.target, r.decision, r.reason])).toEqual([
      ['carol', 'read', 'denied', 'role'],
      ['bob', 'other', 'allowed', undefined],
      ['bob', 'read', 'denied', 'killed'],
    ]);
  });

  it('audits an endpoint denial that has no request on its own', async () => {
    await boot();
    access.publish({
      server: 'operations',
      stage: 'authorization',
      reason: 'insufficient-scope',
      subject: 'bob',
      target: 'admin',
    } satisfies AccessEvent);
    expect(sink.records).toEqual([
      expect.objectContaining({
        server: 'operations',
        method: 'authorization',
        target: 'admin',
        subject: 'bob',
        decision: 'denied',
        reason: 'insufficient-scope',
      }),
    ]);
  });

  it('audits alone, at shutdown, a denial whose request never ended', async () => {
    await boot();
    access.publish(denial(request(), 'killed'));
    expect(sink.records).toEqual([]);
    await trail.onApplicationShutdown();
    expect(sink.records).toEqual([
      expect.objectContaining({ method: 'tools/call', target: 'read', reason: 'killed' }),
    ]);
  });

  it('audits alone a denial that waited 30 s for its request, on the next sweep', async () => {
    jest.useFakeTimers();
    try {
      await boot();
      access.publish(denial(request(), 'killed'));
      jest.advanceTimersByTime(29_000);
      expect(sink.records).toEqual([]);
      jest.advanceTimersByTime(6_000);
      expect(sink.records).toEqual([expect.objectContaining({ reason: 'killed', durationMs: 0 })]);
      // The request's record, if it ever comes, is then audited as any other.
      recorder.refused(request(), forbidden());
      expect(sink.records.map((r) => r.reason)).toEqual(['killed', undefined]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('keeps at most 1000 denials waiting', async () => {
    await boot();
    for (let i = 0; i < 1_001; i++) access.publish(denial(request({ target: `t${i}` }), 'killed'));
    expect(sink.records.map((r) => r.target)).toEqual(['t0']);
  });

  it("leaves a call's denial on a server of another app of the process to that app", async () => {
    recorder = new CallRecorder();
    sink = new MemorySink();
    const servers = { find: (name: string) => (name === 'srv' ? {} : undefined) };
    trail = new AuditTrail({}, sink, recorder, undefined, servers as unknown as McpServers);
    await trail.onModuleInit();
    access.publish(denial(request({ server: 'elsewhere' }), 'role'));
    access.publish(denial(request(), 'role'));
    await trail.onApplicationShutdown();
    expect(sink.records.map((r) => [r.server, r.reason])).toEqual([['srv', 'role']]);
  });

  it('leaves access refusals out with access: false', async () => {
    await boot({ access: false });
    access.publish({ server: 'srv', stage: 'authentication', reason: 'missing' });
    const req = request();
    access.publish(denial(req, 'insufficient-scope'));
    recorder.refused(req, forbidden());
    expect(sink.records).toEqual([expect.objectContaining({ decision: 'denied', target: 'read' })]);
    expect(sink.records[0]).not.toHaveProperty('reason');
  });
});
