import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { MailController } from './mail.controller';
import { MailOutbox } from './mail-outbox.entity';
import { MailOutboxService } from './mail-outbox.service';
import { MailTransport } from './mail-transport';

/** Mail: one transport (SMTP or .eml files) behind a persistent outbox with retries. */
@Module({
  imports: [TypeOrmModule.forFeature([MailOutbox])],
  controllers: [MailController],
  providers: [MailTransport, MailOutboxService],
  exports: [MailOutboxService, MailTransport],
})
export class MailModule {}
