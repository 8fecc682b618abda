import { OnGatewayConnection, OnGatewayDisconnect, OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import { AuthService } from '../auth/auth.service';
import { socketAuthMiddleware } from '../auth/socket-auth';
import { RedisService } from '../common/redis.service';
import { QaEmitter } from './qa-emitter';
import { LiveClient, QaService } from './qa.service';

/** The client → server events of `/live`, each one QaService call that always resolves to an ack object. */
const EVENTS: ReadonlyArray<[string, (qa: QaService, client: LiveClient, body: unknown) => Promise<unknown>]> = [
  ['session:join', (qa, c, b) => qa.join(c, b)],
  ['question:ask', (qa, c, b) => qa.ask(c, b)],
  ['question:moderate', (qa, c, b) => qa.moderate(c, b)],
  ['question:upvote', (qa, c, b) => qa.upvote(c, b)],
  ['question:answer', (qa, c, b) => qa.answer(c, b)],
  ['question:highlight', (qa, c, b) => qa.highlight(c, b)],
];

/**
 * socket.io namespace `/live`. The door only: the handshake middleware sets who the socket is
 * (staff by `auth.token`, viewers by `auth.viewerKey`), every event goes to one QaService call
 * that always answers an ack object `{ok:true,…}` or `{ok:false,error:{code,message}}`.
 *
 * The six listeners are bound by hand, one shared function per event for all sockets (socket.io calls a listener
 * with `this` = the socket), instead of `@SubscribeMessage`, which builds rxjs pipelines per socket and event:
 * with thousands of viewers that per-socket memory is what counts (docs/BENCHMARKS.md).
 */
@WebSocketGateway({ namespace: '/live' })
export class QaGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly listeners: ReadonlyArray<[string, (this: Socket, ...args: unknown[]) => void]>;

  constructor(
    private readonly qa: QaService,
    private readonly auth: AuthService,
    private readonly emitter: QaEmitter,
    private readonly redis: RedisService,
  ) {
    this.listeners = EVENTS.map(([event, call]) => {
      const qaService = this.qa;
      return [
        event,
        function (this: Socket, ...args: unknown[]) {
          const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as (r: unknown) => void) : undefined;
          const body = args.length === 1 ? args[0] : args.length === 0 ? undefined : args;
          call(qaService, this as unknown as LiveClient, body).then(
            (r) => {
              try {
                ack?.(r);
              } catch {
                /* the client's callback is socket.io's: nothing to do */
              }
            },
            () => undefined,
          );
        },
      ];
    });
  }

  afterInit(nsp: Namespace): void {
    nsp.use(socketAuthMiddleware(this.auth));
    this.emitter.attach(nsp, !!this.redis.client);
  }

  handleConnection(socket: Socket): void {
    for (const [event, fn] of this.listeners) socket.on(event, fn);
    this.qa.connected(socket as unknown as LiveClient & { recovered: boolean });
  }

  handleDisconnect(socket: Socket): void {
    this.qa.disconnected(socket as unknown as LiveClient);
  }
}
