import { ConnectedSocket, MessageBody, OnGatewayInit, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import { AuthService } from '../auth/auth.service';
import { socketAuthMiddleware } from '../auth/socket-auth';
import { RedisService } from '../common/redis.service';
import { WindowEmitter } from './window-emitter';
import { WindowService } from './window.service';

/**
 * socket.io namespace `/window` (anonymous allowed). `application:watch {receiptNo, code}` → ack
 * `{ok:true, application}` or `{ok:false, error:{code, message}}`; then `application:status` for that
 * receipt only; `board:update` to everyone at most once a second.
 */
@WebSocketGateway({ namespace: '/window' })
export class WindowGateway implements OnGatewayInit {
  constructor(private readonly window: WindowService, private readonly auth: AuthService, private readonly emitter: WindowEmitter, private readonly redis: RedisService) {}

  afterInit(nsp: Namespace): void {
    nsp.use(socketAuthMiddleware(this.auth, { allowAnonymous: true }));
    this.emitter.attach(nsp, !!this.redis.client);
  }

  @SubscribeMessage('application:watch')
  watch(@ConnectedSocket() s: Socket, @MessageBody() body: unknown) {
    return this.window.watch(s, body);
  }
}
