import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { WindowApplication, WindowApplicationHistory } from './application.entity';
import { WindowController } from './window.controller';
import { WindowEmitter } from './window-emitter';
import { WindowGateway } from './window.gateway';
import { WindowService } from './window.service';

/** Single-window acceptance (一窗式受理): applications, public lookup by receipt + code, the board, ratings, socket.io `/window`. */
@Module({
  imports: [TypeOrmModule.forFeature([WindowApplication, WindowApplicationHistory])],
  controllers: [WindowController],
  providers: [WindowService, WindowEmitter, WindowGateway],
  exports: [WindowService],
})
export class WindowModule {}
