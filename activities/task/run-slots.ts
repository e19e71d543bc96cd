/** The attempt a lease belongs to. */
export interface LeaseOwner {
  jobId: string;
  attempt: number;
}
interface Lease {
  owner: LeaseOwner;
  active: number;
  lastSeen: number;
  checking: boolean;
}

/**
 * Run slots of one worker process: at most `capacity` attempts at once. The pool-queue worker's slot
 * supplier reserves a slot before each poll (so the process stops polling while full), `prepare` turns
 * its slot into a lease keyed by the attempt's workspace, and `releaseHost` gives it back.
 *
 * A lease with no host-queue activity for `leaseMs` expires, so a run whose workflow moved on (dead,
 * terminated, retried elsewhere) cannot hold a slot forever. When `stillNeeded` is given it is asked first
 * (the worker asks the run's `state` query), so a run that is only soft-paused between steps keeps its slot.
 */
export class RunSlots {
  private reserved = 0;
  private readonly leases = new Map<string, Lease>();
  private waiters: (() => void)[] = [];
  private readonly releaseListeners: ((key: string) => void)[] = [];
  private readonly claimListeners: (() => void)[] = [];
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    readonly capacity: number,
    private readonly leaseMs = 60_000,
    private readonly stillNeeded?: (owner: LeaseOwner) => Promise<boolean>,
  ) {
    this.sweeper = setInterval(() => this.sweep(), Math.min(5_000, leaseMs / 2));
    this.sweeper.unref();
  }

  /** Free run slots; may dip below zero while a prepare holds both its poll permit and its new lease. */
  get free(): number {
    return this.capacity - this.reserved - this.leases.size;
  }

  get held(): string[] {
    return [...this.leases.keys()];
  }

  /** The attempts holding a lease (the worker's pings tell the API which runs it is running). */
  get owners(): LeaseOwner[] {
    return [...this.leases.values()].map((l) => ({ ...l.owner }));
  }

  /** Each lease's workspace and attempt (a stopping worker hands these back). */
  get leased(): { workspace: string; owner: LeaseOwner }[] {
    return [...this.leases].map(([workspace, l]) => ({ workspace, owner: { ...l.owner } }));
  }

  /** Wait for a free slot and reserve it for a poll (rejects with the signal's reason when aborted). */
  reserve(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const attempt = () => {
        if (signal?.aborted) {
          reject(signal.reason);
          return;
        }
        if (this.tryReserve()) resolve();
        else this.waiters.push(attempt);
      };
      signal?.addEventListener(
        'abort',
        () => {
          this.waiters = this.waiters.filter((w) => w !== attempt);
          // The SDK recognizes its own abort by the signal's reason.
          reject(signal.reason);
        },
        { once: true },
      );
      attempt();
    });
  }

  tryReserve(): boolean {
    if (this.free <= 0) return false;
    this.reserved += 1;
    return true;
  }

  unreserve(): void {
    this.reserved = Math.max(0, this.reserved - 1);
    this.wake();
  }

  /** `prepare` took the slot for this attempt. */
  claim(key: string, owner: LeaseOwner): void {
    this.leases.set(key, {
      owner: { jobId: owner.jobId, attempt: owner.attempt },
      active: 0,
      lastSeen: Date.now(),
      checking: false,
    });
    for (const l of this.claimListeners) l();
  }

  /**
   * A host activity of the attempt runs; the lease cannot expire until the returned function is called.
   * An attempt whose lease had expired takes a slot again: it is running here whatever the count says.
   */
  enter(key: string, owner: LeaseOwner): () => void {
    if (!this.leases.has(key)) this.claim(key, owner);
    const lease = this.leases.get(key)!;
    lease.active += 1;
    lease.lastSeen = Date.now();
    return () => {
      lease.active -= 1;
      lease.lastSeen = Date.now();
    };
  }

  release(key: string): void {
    if (!this.leases.delete(key)) return;
    for (const l of this.releaseListeners) l(key);
    this.wake();
  }

  onRelease(listener: (key: string) => void): void {
    this.releaseListeners.push(listener);
  }

  /** Called when an attempt takes a lease (the worker then tells the API at once which runs it holds). */
  onClaim(listener: () => void): void {
    this.claimListeners.push(listener);
  }

  stop(): void {
    clearInterval(this.sweeper);
  }

  private sweep() {
    const now = Date.now();
    for (const [key, lease] of this.leases) {
      if (lease.active > 0 || lease.checking || now - lease.lastSeen <= this.leaseMs) continue;
      if (!this.stillNeeded) {
        this.release(key);
        continue;
      }
      lease.checking = true;
      this.stillNeeded(lease.owner).then(
        (needed) => {
          lease.checking = false;
          if (needed) lease.lastSeen = Date.now();
          else if (this.leases.get(key) === lease && lease.active === 0) this.release(key);
        },
        () => {
          lease.checking = false;
        },
      );
    }
  }

  private wake() {
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) w();
  }
}
