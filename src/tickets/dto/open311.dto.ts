import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, Length, MaxLength } from 'class-validator';

export class CreateOpen311KeyDto {
  @ApiProperty({ description: 'Who the key is for', maxLength: 100 })
  @IsString()
  @Length(1, 100)
  label: string;
}

/** GeoReport v2 POST requests.json fields (form or JSON). */
export class Open311RequestDto {
  @ApiProperty() @IsString() @MaxLength(100) api_key: string;
  @ApiProperty({ description: 'A service_code of services.json (a topic key)' }) @IsString() @MaxLength(64) service_code: string;
  @ApiProperty({ description: 'The complaint (5–2000 characters)' }) @IsString() @MaxLength(2000) description: string;
  @ApiProperty({ description: 'Required here: the hotline calls back' }) @IsString() @MaxLength(20) phone: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) jurisdiction_id?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(255) address_string?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) address_id?: string;
  @ApiPropertyOptional() @IsOptional() lat?: unknown;
  @ApiPropertyOptional() @IsOptional() long?: unknown;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(255) email?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) device_id?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) account_id?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(32) first_name?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(32) last_name?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(1000) media_url?: string;
  @ApiPropertyOptional({ description: 'Street (code, 德胜街道 or 德胜) — an extension' }) @IsOptional() @IsString() @MaxLength(32) street?: string;
}

export class Open311ListQuery {
  @ApiPropertyOptional({ description: 'Comma-separated ids (ticket numbers)' }) @IsOptional() @IsString() @MaxLength(2000) service_request_id?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(64) service_code?: string;
  @ApiPropertyOptional() @IsOptional() @IsISO8601() start_date?: string;
  @ApiPropertyOptional() @IsOptional() @IsISO8601() end_date?: string;
  @ApiPropertyOptional({ enum: ['open', 'closed'] }) @IsOptional() @IsIn(['open', 'closed']) status?: 'open' | 'closed';
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) jurisdiction_id?: string;
}
