import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Open311Key } from './open311-key.entity';
import { Open311Controller, Open311KeysController } from './open311.controller';
import { Open311Service } from './open311.service';
import { Ticket, TicketHistory } from './ticket.entity';
import { TicketTopics } from './ticket-topics.entity';
import { TicketImportService } from './ticket-import.service';
import { TicketsController } from './tickets.controller';
import { TicketsService } from './tickets.service';

@Module({
  imports: [TypeOrmModule.forFeature([Ticket, TicketHistory, TicketTopics, Open311Key])],
  controllers: [TicketsController, Open311Controller, Open311KeysController],
  providers: [TicketsService, TicketImportService, Open311Service],
  exports: [TypeOrmModule, TicketsService],
})
export class TicketsModule {}
