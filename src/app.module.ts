import { Module } from '@nestjs/common';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { CalendarModule } from './calendar/calendar.module';
import { CommonModule } from './common/common.module';
import { ConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { DemoModule } from './demo/demo.module';
import { DepartmentsModule } from './departments/departments.module';
import { HealthModule } from './health/health.module';
import { LivestreamModule } from './livestream/livestream.module';
import { MailModule } from './mail/mail.module';
import { MetricsModule } from './metrics/metrics.module';
import { QaModule } from './qa/qa.module';
import { RetentionModule } from './retention/retention.module';
import { TicketsModule } from './tickets/tickets.module';
import { TopicsModule } from './topics/topics.module';
import { UsersModule } from './users/users.module';
import { WindowModule } from './window/window.module';

@Module({
  imports: [
    ConfigModule,
    DatabaseModule,
    CommonModule,
    MetricsModule,
    AuditModule,
    CalendarModule,
    DepartmentsModule,
    UsersModule,
    AuthModule,
    HealthModule,
    TicketsModule,
    TopicsModule,
    MailModule,
    LivestreamModule,
    QaModule,
    WindowModule,
    DemoModule,
    RetentionModule,
  ],
})
export class AppModule {}
