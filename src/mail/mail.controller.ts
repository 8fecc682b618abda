import { Controller, Get, HttpCode, Param, ParseIntPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { Roles } from '../auth/decorators';
import { PageQuery } from '../common/pagination';
import { OUTBOX_STATUSES, OutboxStatus } from './mail-outbox.entity';
import { MailOutboxService } from './mail-outbox.service';

export class OutboxQuery extends PageQuery {
  @ApiPropertyOptional({ enum: OUTBOX_STATUSES })
  @IsOptional()
  @IsIn(OUTBOX_STATUSES)
  status?: OutboxStatus;
}

@ApiTags('mail')
@ApiBearerAuth()
@Controller('api/mail/outbox')
export class MailController {
  constructor(private readonly outbox: MailOutboxService) {}

  @Get()
  @Roles('admin')
  @ApiOperation({ summary: 'The mail outbox: recipient, subject, status, attempts and last error (no bodies), newest first' })
  list(@Query() q: OutboxQuery) {
    return this.outbox.list(q.status, q.page, q.pageSize);
  }

  @Post(':id/retry')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: 'Queue a failed mail again now (attempts start over); 409 when it was sent already' })
  retry(@Param('id', ParseIntPipe) id: number) {
    return this.outbox.retry(id);
  }
}
