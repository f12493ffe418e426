import { createMcpTestApp } from '@rampart/testing';
import { HooksExampleModule, InFlightCap } from '../../docs/examples/hooks.example';

describe('docs example: request hooks', () => {
  afterEach(() => {
    InFlightCap.limit = 100;
  });

  it('refuses a call over the in-flight cap, frees the slot when answered, and times every request', async () => {
    InFlightCap.limit = 1;
    const t = await createMcpTestApp({
      imports: [HooksExampleModule],
      transport: 'http',
      era: 'modern',
    });
    try {
      const results = await Promise.allSettled([
        t.client.callTool({ name: 'wait', arguments: {} }),
        t.client.callTool({ name: 'wait', arguments: {} }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(String(refused.reason)).toMatch(/503|overloaded/i);
      // The slot is free again once the first call is answered.
      const again = await t.client.callTool({ name: 'wait', arguments: {} });
      expect(again.content).toEqual([{ type: 'text', text: 'done' }]);
      const timed = t.app.get(InFlightCap).durations.filter((d) => d.method === 'tools/call');
      expect(timed.map((d) => d.target)).toEqual(['wait', 'wait']);
    } finally {
      await t.close();
    }
  });
});
