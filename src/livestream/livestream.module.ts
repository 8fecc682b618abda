import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DUTY_LOOKUP } from '../common/ports';
import { MailModule } from '../mail/mail.module';
import { HotlineDutyService } from './hotline-duty.service';
import { HotlineShift } from './hotline-shift.entity';
import { Leader } from './leader.entity';
import { LeaderMailerService } from './leader-mailer.service';
import { LeadersService } from './leaders.service';
import { HotlineDutyController, LeadersController, LivestreamController } from './livestream.controller';
import { LivestreamSession } from './livestream-session.entity';
import { LivestreamService } from './livestream.service';
import { ProposalsService } from './proposals.service';
import { ScheduleService } from './schedule.service';

/**
 * Livestream schedule, leaders, hotline duty and the leaders' mail. Global so the tickets module can
 * inject DUTY_LOOKUP (@Optional) and the live Q&A module can use LivestreamService / LeadersService.
 */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([Leader, LivestreamSession, HotlineShift]), MailModule],
  controllers: [LeadersController, LivestreamController, HotlineDutyController],
  providers: [
    LeadersService,
    ScheduleService,
    LeaderMailerService,
    LivestreamService,
    HotlineDutyService,
    ProposalsService,
    { provide: DUTY_LOOKUP, useExisting: HotlineDutyService },
  ],
  exports: [TypeOrmModule, DUTY_LOOKUP, LeadersService, LivestreamService, HotlineDutyService, LeaderMailerService],
})
export class LivestreamModule {}
