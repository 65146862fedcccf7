// At most `max` of some work at once in this process; the rest wait in line. Opening
// tickets holds a database connection for a whole transaction: a burst of opens larger
// than the pool would otherwise time out waiting for a connection instead of queueing.
export class Semaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly max: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}
