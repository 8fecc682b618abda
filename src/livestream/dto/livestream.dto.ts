import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsDateString,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Matches,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { PageQuery } from '../../common/pagination';
import { SESSION_STATUSES, SessionStatus } from '../livestream-session.entity';

export class CreateLeaderDto {
  @ApiProperty({ example: '张伟' }) @IsString() @Length(1, 64) name: string;
  @ApiProperty({ example: '区城管委主任' }) @IsString() @Length(1, 64) title: string;
  @ApiProperty({ example: 'city', description: 'department code (or its Chinese name)' }) @IsString() @Length(1, 64) departmentCode: string;
  @ApiProperty({ example: 'zhangwei@xicheng.example' }) @IsEmail() @MaxLength(254) email: string;
  @ApiPropertyOptional({ description: 'staff account (role leader) of this leader' }) @IsOptional() @IsInt() @Min(1) userId?: number;
}

export class LeaderQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'city' }) @IsOptional() @IsString() @MaxLength(32) departmentCode?: string;
}

export class CreateSessionDto {
  @ApiProperty({ example: '老旧小区加装电梯政策解读' }) @IsString() @Length(1, 200) title: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(4000) description?: string;
  @ApiProperty({ example: 'housing' }) @IsString() @Length(1, 64) departmentCode: string;
  @ApiProperty({ type: [Number], example: [1] }) @IsArray() @ArrayMaxSize(30) @IsInt({ each: true }) @Min(1, { each: true }) leaderIds: number[];
  @ApiPropertyOptional({ type: [String], example: ['elevator'] }) @IsOptional() @IsArray() @ArrayMaxSize(20) @IsString({ each: true }) @MaxLength(40, { each: true }) topicKeys?: string[];
  @ApiProperty({ example: '2026-12-01T15:00:00+08:00' }) @IsDateString({ strict: true }) startsAt: string;
  @ApiProperty({ example: '2026-12-01T16:00:00+08:00' }) @IsDateString({ strict: true }) endsAt: string;
  @ApiPropertyOptional() @IsOptional() @IsUrl({ protocols: ['http', 'https', 'rtmp'], require_tld: false }) @MaxLength(512) streamUrl?: string;
  @ApiPropertyOptional({ description: 'true when from the yearly plan', default: false }) @IsOptional() @IsBoolean() planned?: boolean;
}

export class UpdateSessionDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) title?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(4000) description?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 64) departmentCode?: string;
  @ApiPropertyOptional({ type: [Number] }) @IsOptional() @IsArray() @ArrayMaxSize(30) @IsInt({ each: true }) @Min(1, { each: true }) leaderIds?: number[];
  @ApiPropertyOptional({ type: [String] }) @IsOptional() @IsArray() @ArrayMaxSize(20) @IsString({ each: true }) @MaxLength(40, { each: true }) topicKeys?: string[];
  @ApiPropertyOptional() @IsOptional() @IsDateString({ strict: true }) startsAt?: string;
  @ApiPropertyOptional() @IsOptional() @IsDateString({ strict: true }) endsAt?: string;
  @ApiPropertyOptional() @IsOptional() @IsUrl({ protocols: ['http', 'https', 'rtmp'], require_tld: false }) @MaxLength(512) streamUrl?: string;
}

export class SessionQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'sessions starting at or after' }) @IsOptional() @IsDateString() from?: string;
  @ApiPropertyOptional({ description: 'sessions starting before' }) @IsOptional() @IsDateString() to?: string;
  @ApiPropertyOptional({ enum: SESSION_STATUSES }) @IsOptional() @IsIn(SESSION_STATUSES) status?: SessionStatus;
}

export class CreateShiftDto {
  @ApiProperty() @IsInt() @Min(1) leaderId: number;
  @ApiProperty({ example: '2026-12-02T09:00:00+08:00' }) @IsDateString({ strict: true }) startsAt: string;
  @ApiProperty({ example: '2026-12-02T11:00:00+08:00' }) @IsDateString({ strict: true }) endsAt: string;
}

export class ShiftQuery extends PageQuery {
  @ApiPropertyOptional() @IsOptional() @IsDateString() from?: string;
  @ApiPropertyOptional() @IsOptional() @IsDateString() to?: string;
}

export class ProposalQuery {
  @ApiProperty({ example: '2026Q4' }) @Matches(/^\d{4}Q[1-4]$/, { message: 'quarter must look like 2026Q4' }) quarter: string;
}

export class ProposalDto {
  @ApiProperty() @IsString() @Length(1, 200) title: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(4000) description?: string;
  @ApiProperty() @IsString() @Length(1, 64) departmentCode: string;
  @ApiProperty({ type: [Number] }) @IsArray() @ArrayMaxSize(30) @IsInt({ each: true }) leaderIds: number[];
  @ApiProperty({ type: [String] }) @IsArray() @IsString({ each: true }) topicKeys: string[];
  @ApiProperty() @IsDateString({ strict: true }) startsAt: string;
  @ApiProperty() @IsDateString({ strict: true }) endsAt: string;
}

export class ConfirmProposalsDto {
  @ApiProperty({ type: [ProposalDto] }) @IsArray() @ArrayMaxSize(50) @ValidateNested({ each: true }) @Type(() => ProposalDto) proposals: ProposalDto[];
}
