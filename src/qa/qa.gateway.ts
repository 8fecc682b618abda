import { ConnectedSocket, MessageBody, OnGatewayConnection, OnGatewayDisconnect, OnGatewayInit, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import type { Namespace, Socket } from 'socket.io';
import { AuthService } from '../auth/auth.service';
import { socketAuthMiddleware } from '../auth/socket-auth';
import { RedisService } from '../common/redis.service';
import { QaEmitter } from './qa-emitter';
import { LiveClient, QaService } from './qa.service';

/**
 * socket.io namespace `/live`. The door only: the handshake middleware sets who the socket is
 * (staff by `auth.token`, viewers by `auth.viewerKey`), every event goes to one QaService call
 * that always answers an ack object `{ok:true,…}` or `{ok:false,error:{code,message}}`.
 */
@WebSocketGateway({ namespace: '/live' })
export class QaGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  constructor(
    private readonly qa: QaService,
    private readonly auth: AuthService,
    private readonly emitter: QaEmitter,
    private readonly redis: RedisService,
  ) {}

  afterInit(nsp: Namespace): void {
    nsp.use(socketAuthMiddleware(this.auth));
    this.emitter.attach(nsp, !!this.redis.client);
  }

  handleConnection(socket: Socket): void {
    this.qa.connected(socket as unknown as LiveClient & { recovered: boolean });
  }

  handleDisconnect(socket: Socket): void {
    this.qa.disconnected(socket as unknown as LiveClient);
  }

  @SubscribeMessage('session:join')
  join(@ConnectedSocket() s: Socket, @MessageBody() body: unknown) {
    return this.qa.join(s as unknown as LiveClient, body);
  }

  @SubscribeMessage('question:ask')
  ask(@ConnectedSocket() s: Socket, @MessageBody() body: unknown) {
    return this.qa.ask(s as unknown as LiveClient, body);
  }

  @SubscribeMessage('question:moderate')
  moderate(@ConnectedSocket() s: Socket, @MessageBody() body: unknown) {
    return this.qa.moderate(s as unknown as LiveClient, body);
  }

  @SubscribeMessage('question:upvote')
  upvote(@ConnectedSocket() s: Socket, @MessageBody() body: unknown) {
    return this.qa.upvote(s as unknown as LiveClient, body);
  }

  @SubscribeMessage('question:answer')
  answer(@ConnectedSocket() s: Socket, @MessageBody() body: unknown) {
    return this.qa.answer(s as unknown as LiveClient, body);
  }

  @SubscribeMessage('question:highlight')
  highlight(@ConnectedSocket() s: Socket, @MessageBody() body: unknown) {
    return this.qa.highlight(s as unknown as LiveClient, body);
  }
}
