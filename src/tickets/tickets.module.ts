import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Ticket, TicketHistory } from './ticket.entity';
import { TicketImportService } from './ticket-import.service';
import { TicketsController } from './tickets.controller';
import { TicketsService } from './tickets.service';

@Module({
  imports: [TypeOrmModule.forFeature([Ticket, TicketHistory])],
  controllers: [TicketsController],
  providers: [TicketsService, TicketImportService],
  exports: [TypeOrmModule, TicketsService],
})
export class TicketsModule {}
