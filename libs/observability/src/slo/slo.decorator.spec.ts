import { Reflector } from '@nestjs/core';
import { Slo, SloMetadata } from './slo.decorator';
import { isInvalidSloObjectiveError } from './invalid-slo-objective.error';

describe('@Slo()', () => {
  it('records the objective as metadata and nothing else', () => {
    class Tools {
      @Slo({ success: 0.995, latency: { percentile: 0.95, thresholdMs: 300 } })
      scrape() {
        return 'ok';
      }
    }
    const method = Object.getOwnPropertyDescriptor(Tools.prototype, 'scrape')!.value as () => void;
    expect(new Reflector().get(SloMetadata, method)).toEqual({
      success: 0.995,
      latency: { percentile: 0.95, thresholdMs: 300 },
    });
    expect(new Tools().scrape()).toBe('ok');
  });

  it.each([
    [{}, /set "latency", "success" or both/],
    [{ success: 99.5 }, /"success" must be a fraction in \(0, 1\)/],
    [{ latency: { percentile: 95, thresholdMs: 300 } }, /"latency.percentile"/],
    [{ latency: { percentile: 0.95, thresholdMs: -1 } }, /"latency.thresholdMs"/],
    [{ success: 0.9, windowMs: 1.5 }, /"windowMs" must be a positive integer/],
  ])('throws a named error when the class is defined: %j', (objective, message) => {
    let error: unknown;
    try {
      Slo(objective as never);
    } catch (e) {
      error = e;
    }
    expect(isInvalidSloObjectiveError(error)).toBe(true);
    expect((error as Error).message).toMatch(message);
  });
});
