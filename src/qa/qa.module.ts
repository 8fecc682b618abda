import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Leader } from '../livestream/leader.entity';
import { LivestreamSession } from '../livestream/livestream-session.entity';
import { QaAdminController, QaController } from './qa.controller';
import { QaEmitter } from './qa-emitter';
import { QaGateway } from './qa.gateway';
import { QaService } from './qa.service';
import { QaQuestion, QaUpvote } from './question.entity';
import { SensitiveWordsService } from './sensitive-words.service';

/** Live Q&A: socket.io namespace `/live`, the moderation queue, answers, and the public list of approved questions. */
@Module({
  imports: [TypeOrmModule.forFeature([QaQuestion, QaUpvote, LivestreamSession, Leader])],
  controllers: [QaController, QaAdminController],
  providers: [QaService, QaEmitter, QaGateway, SensitiveWordsService],
  exports: [QaService, SensitiveWordsService],
})
export class QaModule {}
