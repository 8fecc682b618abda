import { INestApplicationContext, Logger } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { Namespace, Server, ServerOptions } from 'socket.io';
import type { AppConfig } from '../config/app-config';
import { REDIS_CALL_TIMEOUT_MS, RedisClient, redisCall, RedisService, RedisUnavailableError } from './redis.service';

/** How long a Redis call of the adapter may take before the instance carries on alone (local delivery only). */
export const REDIS_ADAPTER_TIMEOUT_MS = REDIS_CALL_TIMEOUT_MS;

/**
 * socket.io for every gateway: small frames (maxHttpBufferSize), no per-message deflate,
 * origin allow-list, connection state recovery for 2 minutes, and the Redis Streams adapter
 * when REDIS_URL is set so several instances share rooms and broadcasts.
 *
 * With Redis down each instance keeps serving its own sockets: the adapter's Redis calls go through
 * `guardRedisForAdapter` (fail at once while the client is not ready, give up after 1 s otherwise), so a
 * broadcast is delivered locally without waiting, and the stream reader waits for the reconnection instead of spinning.
 */
export class HubIoAdapter extends IoAdapter {
  private readonly log = new Logger('SocketIo');

  constructor(private readonly appRef: INestApplicationContext, private readonly cfg: AppConfig) {
    super(appRef);
  }

  createIOServer(port: number, options?: ServerOptions): Server {
    const opts: Partial<ServerOptions> = {
      ...options,
      maxHttpBufferSize: 8 * 1024,
      perMessageDeflate: false,
      httpCompression: false,
      pingInterval: 20_000,
      pingTimeout: 20_000,
      connectionStateRecovery: { maxDisconnectionDuration: 2 * 60_000, skipMiddlewares: true },
      cors: this.cfg.corsOrigins.length ? { origin: this.cfg.corsOrigins, credentials: false } : undefined,
      allowRequest: (req, cb) => {
        const origin = req.headers.origin;
        const host = req.headers.host;
        const sameOrigin = !origin || (host && (origin === `http://${host}` || origin === `https://${host}`));
        cb(null, Boolean(sameOrigin || this.cfg.corsOrigins.includes(origin!)));
      },
    };
    const server = super.createIOServer(port, opts) as Server;
    const redis = this.appRef.get(RedisService, { strict: false });
    const client = redis.client;
    if (client) {
      const make = createAdapter(guardRedisForAdapter(client) as never, { maxLen: 10_000, readCount: 100 });
      // socket.io calls `new adapter(nsp)`: a plain function returning the adapter object does.
      server.adapter(function (nsp: Namespace) {
        const adapter = make(nsp) as unknown as { restoreSession: (pid: string, offset: string) => Promise<unknown> };
        const restore = adapter.restoreSession.bind(adapter);
        // A reconnecting socket during an outage starts a fresh session instead of waiting on Redis.
        adapter.restoreSession = (pid, offset) => failFast(client, 'restore session', () => restore(pid, offset));
        return adapter;
      } as never);
      this.log.log('socket.io uses the Redis Streams adapter');
    }
    return server;
  }
}

/** `fn()` bounded (see redisCall): a rejection at once while disconnected, after 1 s without an answer. */
function failFast<T>(client: RedisClient, what: string, fn: () => Promise<T>): Promise<T> {
  return redisCall(client, what, fn, REDIS_ADAPTER_TIMEOUT_MS);
}

/** Resolves true once the client is ready, false if it is not within `ms`. */
function readyWithin(client: RedisClient, ms: number): Promise<boolean> {
  if (client.isReady) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      client.off('ready', done);
      resolve(client.isReady);
    };
    const timer = setTimeout(done, ms);
    client.on('ready', done);
  });
}

type Fn = (...args: unknown[]) => Promise<unknown>;

function overlay(client: RedisClient, own: Record<string, Fn>): RedisClient {
  return new Proxy(client, {
    get(target, prop) {
      if (typeof prop === 'string' && Object.prototype.hasOwnProperty.call(own, prop)) return own[prop];
      const v = Reflect.get(target, prop, target) as unknown;
      return typeof v === 'function' ? (v as Fn).bind(target) : v;
    },
  });
}

/**
 * The client handed to the Redis Streams adapter, with the calls it makes made safe for an outage:
 * - XADD / XRANGE / PUBSUB NUMSUB fail fast (the adapter then delivers locally, counts only local sockets);
 * - PUBLISH and SET, which the adapter fires without handling their failure (ephemeral messages,
 *   session persistence), never reject (an unhandled rejection would end the process);
 * - the duplicated reader's XREAD waits for the reconnection (up to 1 s per try) instead of failing at once,
 *   which would make the adapter's read loop spin on the microtask queue and starve the event loop.
 */
export function guardRedisForAdapter(client: RedisClient): RedisClient {
  const c = client as unknown as Record<string, Fn>;
  const quiet = (what: string, fallback: unknown): Fn => (...args) => failFast(client, what, () => c[what](...args)).catch(() => fallback);
  const fast = (what: string): Fn => (...args) => failFast(client, what, () => c[what](...args));
  return overlay(client, {
    xAdd: fast('xAdd'),
    xRange: fast('xRange'),
    sendCommand: fast('sendCommand'),
    publish: quiet('publish', 0),
    sPublish: quiet('sPublish', 0),
    set: quiet('set', null),
    duplicate: (() => guardReader(client.duplicate())) as unknown as Fn,
  });
}

/** A duplicated connection of the adapter (stream reader, subscriber): XREAD waits for the connection. */
function guardReader(client: RedisClient): RedisClient {
  const c = client as unknown as Record<string, Fn>;
  return overlay(client, {
    xRead: async (...args) => {
      if (!(await readyWithin(client, REDIS_ADAPTER_TIMEOUT_MS))) throw new RedisUnavailableError('XREAD: Redis unavailable');
      return c.xRead(...args);
    },
  });
}
