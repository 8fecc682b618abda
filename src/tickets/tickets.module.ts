import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Ticket, TicketHistory } from './ticket.entity';

@Module({
  imports: [TypeOrmModule.forFeature([Ticket, TicketHistory])],
  exports: [TypeOrmModule],
})
export class TicketsModule {}
