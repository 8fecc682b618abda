import { INestApplicationContext, Logger } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { Server, ServerOptions } from 'socket.io';
import type { AppConfig } from '../config/app-config';
import { RedisService } from './redis.service';

/**
 * socket.io for every gateway: small frames (maxHttpBufferSize), no per-message deflate,
 * origin allow-list, connection state recovery for 2 minutes, and the Redis Streams adapter
 * when REDIS_URL is set so several instances share rooms and broadcasts.
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
      server.adapter(createAdapter(client as never, { maxLen: 10_000, readCount: 100 }));
      this.log.log('socket.io uses the Redis Streams adapter');
    }
    return server;
  }
}
