import { randomUUID } from 'node:crypto';

/** One holder's claim on streams: who, how many, and until when (epoch seconds). */
export interface StreamClaim {
  /** Unique per acquisition: `<holder>#<uuid>`. */
  readonly id: string;
  readonly streams: number;
  readonly expiresAt: number;
}

/**
 * Where the claims live: a count of the streams in flight and the claims that make it up, changed only by
 * atomic single-item conditional writes (DynamoDB in AWS and in the local stack, whose dynalite has no
 * transactions).
 */
export interface StreamLeaseStore {
  /**
   * Adds `claim` if the streams in flight, with it, stay within `capacity`: atomic, so concurrent holders
   * never overshoot. False when they would not fit, or when this very claim is already held (a retried write).
   */
  add(claim: StreamClaim, capacity: number): Promise<boolean>;
  /** Every claim held, expired ones included (strongly consistent). */
  claims(): Promise<readonly StreamClaim[]>;
  /** Removes `claim` and gives its streams back; nothing when it is already gone (released, or reclaimed). */
  remove(claim: StreamClaim): Promise<void>;
}

/** Streams held for one note until `release` (or until the claim expires, if the holder dies first). */
export interface StreamLease {
  readonly claim: StreamClaim;
  release(): Promise<void>;
}

export interface StreamLeasesOptions {
  /**
   * How long a claim lives: at least as long as its holder can run (the function timeout), so a holder that
   * dies without releasing gives its streams back when the claim expires, never sooner.
   */
  readonly leaseSeconds: number;
  /** @default Date.now */
  readonly now?: () => number;
  /** @default crypto.randomUUID */
  readonly newId?: () => string;
}

/**
 * Bounds the Transcribe streams in flight across every note of a stage. A note asks for all its streams at
 * once and gets all or none: fewer streams than chunks would make it as slow as the batch path while still
 * paying each stream's 15 s minimum, so a refusal sends it to the batch path instead.
 *
 * Correctness rests on the store's atomic conditional writes, never on TTL: a holder that crashed leaves
 * its claim behind, and the next acquirer that finds the bound reached removes the claims that expired
 * before trying again.
 */
export class StreamLeases {
  private readonly now: () => number;
  private readonly newId: () => string;

  constructor(
    private readonly store: StreamLeaseStore,
    private readonly options: StreamLeasesOptions,
  ) {
    if (!(options.leaseSeconds > 0)) throw new RangeError('leaseSeconds must be positive');
    this.now = options.now ?? Date.now;
    this.newId = options.newId ?? randomUUID;
  }

  /** `streams` streams for `holder`, or undefined when fewer than that are free under `capacity`. */
  async acquire(holder: string, streams: number, capacity: number): Promise<StreamLease | undefined> {
    if (!Number.isInteger(streams) || streams < 1) throw new RangeError('streams must be a positive integer');
    if (streams > capacity) return undefined;
    const claim: StreamClaim = { id: `${holder}#${this.newId()}`, streams, expiresAt: this.nowSeconds() + this.options.leaseSeconds };
    if (await this.store.add(claim, capacity)) return this.lease(claim);

    const held = await this.store.claims();
    // The write landed but its answer was lost, and the SDK's retry was refused as a duplicate.
    if (held.some((c) => c.id === claim.id)) return this.lease(claim);
    const now = this.nowSeconds();
    const expired = held.filter((c) => c.expiresAt <= now);
    if (expired.length === 0) return undefined;
    await Promise.all(expired.map((c) => this.store.remove(c)));
    return (await this.store.add(claim, capacity)) ? this.lease(claim) : undefined;
  }

  private lease(claim: StreamClaim): StreamLease {
    return { claim, release: () => this.store.remove(claim) };
  }

  private nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }
}
