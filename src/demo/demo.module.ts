import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Leader } from '../livestream/leader.entity';
import { LivestreamSession } from '../livestream/livestream-session.entity';
import { Ticket } from '../tickets/ticket.entity';
import { DemoService } from './demo.service';

/** Demo data for the embedded default: see docs/DEMO.md. */
@Module({
  imports: [TypeOrmModule.forFeature([Ticket, Leader, LivestreamSession])],
  providers: [DemoService],
  exports: [DemoService],
})
export class DemoModule {}
