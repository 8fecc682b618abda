import { Body, Controller, Get, HttpCode, Param, ParseIntPipe, Patch, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { AuthUser, CurrentUser, Roles } from '../auth/decorators';
import { ChangeStatusDto, CreateTicketDto, StatsQuery, TicketListQuery } from './dto/ticket.dto';
import { TicketImportService } from './ticket-import.service';
import { TicketsService } from './tickets.service';

@ApiTags('tickets')
@ApiBearerAuth()
@Controller('api/tickets')
export class TicketsController {
  constructor(
    private readonly tickets: TicketsService,
    private readonly importer: TicketImportService,
  ) {}

  @Post()
  @Roles('operator')
  @ApiOperation({ summary: 'Log a hotline call (operator, admin). Duplicate ticketNo → 409.' })
  create(@Body() dto: CreateTicketDto, @CurrentUser() user: AuthUser) {
    return this.tickets.create(dto, user);
  }

  @Post('import')
  @Roles('operator')
  @HttpCode(200)
  @ApiConsumes('text/csv', 'application/x-ndjson')
  @ApiBody({ description: 'CSV with a header row of ticket field names, or one JSON ticket per line; streamed, up to IMPORT_MAX_ROWS rows', schema: { type: 'string' } })
  @ApiOperation({ summary: 'Streaming import (operator, admin): {received, inserted, duplicates, rejected, errors:[{line,message}], durationMs}; idempotent by ticketNo; other content types → 415' })
  import(@Req() req: Request, @CurrentUser() user: AuthUser) {
    return this.importer.import(req, this.importer.formatOf(req.headers['content-type']), user);
  }

  @Get('stats')
  @Roles('operator', 'moderator', 'leader')
  @ApiOperation({ summary: '接诉即办 rates: totals, per department, per street (formulas in docs/TICKETS.md)' })
  stats(@Query() q: StatsQuery) {
    return this.tickets.stats(q.quarter);
  }

  @Get()
  @Roles('operator', 'moderator')
  @ApiOperation({ summary: 'Filtered, paginated list; caller name and phone masked' })
  list(@Query() q: TicketListQuery) {
    return this.tickets.list(q);
  }

  @Get(':id')
  @Roles('operator')
  @ApiOperation({ summary: 'One ticket, unmasked (operator, admin); writes an audit record' })
  get(@Param('id', ParseIntPipe) id: number, @CurrentUser() user: AuthUser, @Req() req: Request) {
    return this.tickets.getPersonal(id, user, req.ip);
  }

  @Get(':id/history')
  @Roles('operator', 'moderator')
  @ApiOperation({ summary: 'State changes of a ticket, oldest first' })
  history(@Param('id', ParseIntPipe) id: number) {
    return this.tickets.historyOf(id);
  }

  @Patch(':id/status')
  @Roles('operator')
  @ApiOperation({ summary: 'State machine: received→dispatched (departmentCode), dispatched→received|in_progress, in_progress→replied (reply), replied→closed (satisfaction)|in_progress; else 409 listing allowed states' })
  changeStatus(@Param('id', ParseIntPipe) id: number, @Body() dto: ChangeStatusDto, @CurrentUser() user: AuthUser) {
    return this.tickets.changeStatus(id, dto, user);
  }
}
