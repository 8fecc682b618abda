import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsISO8601, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { PageQuery } from '../../common/pagination';
import { QUARTER_RE } from '../../calendar/quarter';
import { CHANNELS, SATISFACTIONS, TICKET_STATUSES } from '../ticket.entity';
import type { Channel, Satisfaction, TicketStatus } from '../ticket.entity';
import { CONTENT_MAX, CONTENT_MIN, PHONE_RE } from '../ticket-rules';

const stripPhone = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.replace(/[\s-]/g, '') : value);

export class CreateTicketDto {
  @ApiPropertyOptional({ description: 'Generated (XC + yyyymmdd + 8 digits) when absent', maxLength: 40 })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,40}$/, { message: 'ticketNo must be 1–40 letters, digits, - or _' })
  ticketNo?: string;

  @ApiPropertyOptional({ description: 'ISO-8601; defaults to now' })
  @IsOptional()
  @IsISO8601({ strict: true })
  receivedAt?: string;

  @ApiPropertyOptional({ enum: CHANNELS, default: 'phone' })
  @IsOptional()
  @IsIn(CHANNELS)
  channel?: Channel;

  @ApiPropertyOptional({ maxLength: 64 })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  callerName?: string;

  @ApiProperty({ description: '11-digit mobile or landline digits (spaces/dashes ignored)', example: '13812345678' })
  @Transform(stripPhone)
  @IsString()
  @Matches(PHONE_RE, { message: 'callerPhone must be an 11-digit mobile number or a landline number' })
  callerPhone: string;

  @ApiPropertyOptional({ description: 'Street code, 德胜街道 or 德胜' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  street?: string;

  @ApiPropertyOptional({ maxLength: 64 })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  community?: string;

  @ApiPropertyOptional({ maxLength: 255 })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  address?: string;

  @ApiProperty({ minLength: CONTENT_MIN, maxLength: CONTENT_MAX })
  @IsString()
  @Length(CONTENT_MIN, CONTENT_MAX)
  content: string;

  @ApiPropertyOptional({ maxLength: 64 })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  category?: string;

  @ApiPropertyOptional({ description: 'Department code or name; when absent the dispatch suggester proposes one (suggestedDepartmentCode)' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  departmentCode?: string;
}

export class ChangeStatusDto {
  @ApiProperty({ enum: TICKET_STATUSES })
  @IsIn(TICKET_STATUSES)
  status: TicketStatus;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  note?: string;

  @ApiPropertyOptional({ description: 'Required for → dispatched (code or name)' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  departmentCode?: string;

  @ApiPropertyOptional({ description: 'Required for → replied', maxLength: 4000 })
  @IsOptional()
  @IsString()
  @Length(1, 4000)
  reply?: string;

  @ApiPropertyOptional({ enum: SATISFACTIONS, description: 'Required for → closed' })
  @IsOptional()
  @IsIn(SATISFACTIONS)
  satisfaction?: Satisfaction;
}

export class TicketListQuery extends PageQuery {
  @ApiPropertyOptional({ example: '2026Q3' })
  @IsOptional()
  @Matches(QUARTER_RE, { message: 'quarter must look like 2026Q3' })
  quarter?: string;

  @ApiPropertyOptional({ description: 'receivedAt ≥ from (ISO-8601)' })
  @IsOptional()
  @IsISO8601()
  from?: string;

  @ApiPropertyOptional({ description: 'receivedAt < to (ISO-8601)' })
  @IsOptional()
  @IsISO8601()
  to?: string;

  @ApiPropertyOptional({ description: 'Street code, 德胜街道 or 德胜' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  street?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(64)
  departmentCode?: string;

  @ApiPropertyOptional({ enum: TICKET_STATUSES })
  @IsOptional()
  @IsIn(TICKET_STATUSES)
  status?: TicketStatus;

  @ApiPropertyOptional({ description: 'Topic key (config/topics.json)' })
  @IsOptional()
  @Matches(/^[a-z0-9_:-]{1,64}$/, { message: 'topic must be a topic key' })
  topic?: string;

  @ApiPropertyOptional({ description: 'Words in the content' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;

  @ApiPropertyOptional({ description: 'Only tickets past their due time and not closed' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' || value === true ? true : value === 'false' || value === false ? false : value))
  @IsBoolean()
  overdue?: boolean;

  @ApiPropertyOptional({ description: 'Only repeat calls (repeatOf set)' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' || value === true ? true : value === 'false' || value === false ? false : value))
  @IsBoolean()
  repeat?: boolean;
}

export class StatsQuery {
  @ApiPropertyOptional({ example: '2026Q3', description: 'Absent: every ticket' })
  @IsOptional()
  @Matches(QUARTER_RE, { message: 'quarter must look like 2026Q3' })
  quarter?: string;
}

