import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { createClient } from 'redis';
import { APP_CONFIG, AppConfig } from '../config/app-config';

export type RedisClient = ReturnType<typeof createClient>;

/** How long one Redis call may take before the caller falls back (rate limits) or fails (locks). */
export const REDIS_CALL_TIMEOUT_MS = 1000;

export class RedisUnavailableError extends Error {}

/**
 * `fn()` when the client is connected, else an immediate rejection; and a rejection when Redis does not answer within
 * `ms` (a frozen connection looks connected, and node-redis has no command timeout of its own).
 */
export function redisCall<T>(client: RedisClient | undefined, what: string, fn: () => Promise<T>, ms = REDIS_CALL_TIMEOUT_MS): Promise<T> {
  if (!client?.isReady) return Promise.reject(new RedisUnavailableError(`${what}: Redis unavailable`));
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RedisUnavailableError(`${what}: no answer from Redis within ${ms} ms`)), ms);
  });
  return Promise.race([fn(), timeout]).finally(() => clearTimeout(timer));
}

/**
 * node-redis, loaded only when REDIS_URL is set. Loading it defines a subclass of String (RESP3 `VerbatimString`), and
 * once String.prototype is the prototype of another class V8 keeps it in dictionary mode for the rest of the process:
 * every string method call (charCodeAt, slice, startsWith…) gets 2–4× slower, and the topic run with it
 * (docs/BENCHMARKS.md, "Topic tagging"). A process without Redis should not pay for that.
 */
function loadRedis(): { createClient: typeof createClient } {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('redis') as { createClient: typeof createClient };
}

/** How long the start waits for Redis before it goes on without it. */
const START_WAIT_MS = 3000;

/** The shared Redis connection when REDIS_URL is set (rate limits, locks, socket.io adapter). */
@Injectable()
export class RedisService implements OnModuleInit, OnApplicationShutdown {
  private readonly log = new Logger(RedisService.name);
  private readonly redis?: RedisClient;
  private lastError = 0;

  constructor(@Inject(APP_CONFIG) private readonly cfg: AppConfig) {
    if (cfg.redisUrl) {
      this.redis = loadRedis().createClient({
        url: cfg.redisUrl,
        socket: { reconnectStrategy: (n: number) => Math.min(200 * 2 ** n, 5000), connectTimeout: 3000 },
        disableOfflineQueue: true,
      });
      this.redis.on('error', (e: Error) => {
        if (Date.now() - this.lastError > 10_000) this.log.warn(`redis: ${e.message}`);
        this.lastError = Date.now();
      });
    }
  }

  /**
   * Connects, waiting at most START_WAIT_MS: node-redis's connect() only settles once connected (it keeps retrying),
   * so an instance started while Redis is down would never start. It starts alone instead (rate limits in memory,
   * locks refused, socket.io delivering locally) and joins the others when the connection comes.
   */
  async onModuleInit(): Promise<void> {
    if (!this.redis) return;
    const connected = this.redis.connect().then(
      () => true,
      (e: Error) => {
        this.log.warn(`redis connect failed: ${e.message}`);
        return false;
      },
    );
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<boolean>((r) => (timer = setTimeout(() => r(false), START_WAIT_MS)));
    const ok = await Promise.race([connected, waited]);
    clearTimeout(timer);
    if (ok) this.log.log('redis connected');
    else {
      this.log.warn(`redis not reachable at start; serving alone and connecting in the background`);
      void connected.then((late) => late && this.log.log('redis connected'));
    }
  }

  /** Closed last (after the HTTP and socket.io servers), so the socket.io adapter can still persist sessions on shutdown. */
  async onApplicationShutdown(): Promise<void> {
    if (this.redis?.isOpen) await this.redis.close().catch(() => undefined);
  }

  /** The client, or undefined when Redis is not configured. */
  get client(): RedisClient | undefined {
    return this.redis;
  }

  /** Configured and connected right now. */
  get ready(): boolean {
    return !!this.redis?.isReady;
  }

  /** Commands on the shared client, bounded: rejects at once when Redis is not configured or not connected, after 1 s when it does not answer. */
  run<T>(what: string, fn: (c: RedisClient) => Promise<T>): Promise<T> {
    const c = this.redis;
    return redisCall(c, what, () => fn(c!));
  }

  /** A second connection (the socket.io adapter reads streams with blocking calls). */
  duplicate(): RedisClient | undefined {
    return this.redis?.duplicate();
  }
}
