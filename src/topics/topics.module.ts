import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DISPATCH_SUGGESTER } from '../common/ports';
import { Ticket } from '../tickets/ticket.entity';
import { TopicReport } from './topic-report.entity';
import { SuggestController, TopicsController } from './topics.controller';
import { TopicsService } from './topics.service';

/** Quarterly hot topics and the dispatch suggester (DISPATCH_SUGGESTER, global so TicketsModule can inject it). */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([Ticket, TopicReport])],
  controllers: [TopicsController, SuggestController],
  providers: [TopicsService, { provide: DISPATCH_SUGGESTER, useExisting: TopicsService }],
  exports: [TopicsService, DISPATCH_SUGGESTER],
})
export class TopicsModule {}
