import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';

export class SuggestDto {
  @ApiProperty({ example: '小区门口共享单车乱停乱放，堵塞人行道', description: 'ticket text typed so far (1–2000 chars)' })
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  content: string;
}
