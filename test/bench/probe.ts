/**
 * Measurement probe preloaded into every benchmarked server
 * (`node --require probe.js <server>`), so targets need no benchmark code of
 * their own. Over the runner's IPC channel it answers `bench:sample` messages
 * with the process's own CPU time (`process.cpuUsage()`, µs resolution) and
 * memory (current RSS and the kernel's peak-RSS high-water mark). It also ties
 * the server's lifetime to the runner: when the channel drops, it exits.
 */

/** A sample request sent by the runner. */
export interface SampleRequest {
  type: 'bench:sample';
  seq: number;
}

/** The probe's answer to a {@link SampleRequest}. */
export interface SampleReply {
  type: 'bench:sample';
  seq: number;
  /** User CPU time of the whole process so far, µs. */
  userUs: number;
  /** System CPU time of the whole process so far, µs. */
  systemUs: number;
  /** Current resident set size, bytes. */
  rssBytes: number;
  /** Peak resident set size over the process lifetime, bytes. */
  maxRssBytes: number;
}

function isSampleRequest(message: unknown): message is SampleRequest {
  return (
    typeof message === 'object' &&
    message !== null &&
    (message as { type?: unknown }).type === 'bench:sample'
  );
}

if (process.send) {
  process.on('message', (message: unknown) => {
    if (!isSampleRequest(message)) return;
    const cpu = process.cpuUsage();
    const reply: SampleReply = {
      type: 'bench:sample',
      seq: message.seq,
      userUs: cpu.user,
      systemUs: cpu.system,
      rssBytes: process.memoryUsage.rss(),
      // resourceUsage().maxRSS is in kilobytes.
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
    };
    process.send?.(reply);
  });
  process.on('disconnect', () => process.exit(0));
}
