/**
 * Runs the cache's Redis commands so that a Redis that is down or frozen never fails nor holds up
 * a call: each command is given `commandTimeoutMs`; after a failure Redis is left alone for
 * `retryAfterMs` (the commands answer their fallback at once), then tried again. Reports the
 * change of state once each way, not once per command.
 */
export class RedisGuard {
  private downUntil = 0;
  private isDown = false;
  /** How many times Redis was found down (each outage counts once). */
  outages = 0;

  constructor(
    private readonly commandTimeoutMs: number,
    private readonly retryAfterMs: number,
    private readonly onDown: (error: unknown) => void,
    private readonly onUp: () => void,
  ) {}

  /** Whether Redis is being left alone after a failure. */
  get down(): boolean {
    return this.isDown;
  }

  /** `command`'s answer, or `fallback` when Redis is left alone, fails or is late (`timeoutMs`). */
  async run<T>(
    command: () => Promise<T>,
    fallback: T,
    timeoutMs = this.commandTimeoutMs,
  ): Promise<T> {
    if (this.isDown && Date.now() < this.downUntil) return fallback;
    let timer: NodeJS.Timeout | undefined;
    try {
      const value = await Promise.race([
        command(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
          timer.unref();
        }),
      ]);
      if (this.isDown) {
        this.isDown = false;
        this.onUp();
      }
      return value;
    } catch (error) {
      this.downUntil = Date.now() + this.retryAfterMs;
      if (!this.isDown) {
        this.isDown = true;
        this.outages++;
        this.onDown(error);
      }
      return fallback;
    } finally {
      clearTimeout(timer);
    }
  }
}
