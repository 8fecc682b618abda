import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Length, Max, MaxLength, Min } from 'class-validator';

const MAX_ID = 2_147_483_647;

/** `session:join` */
export class JoinSessionDto {
  @ApiProperty({ minimum: 1 }) @IsInt() @Min(1) @Max(MAX_ID) sessionId: number;
}

/** `question:ask` */
export class AskQuestionDto {
  @ApiProperty({ minimum: 1 }) @IsInt() @Min(1) @Max(MAX_ID) sessionId: number;
  @ApiProperty({ minLength: 1, maxLength: 300 }) @IsString() @Length(1, 300) text: string;
  @ApiPropertyOptional({ maxLength: 20 }) @IsOptional() @IsString() @MaxLength(20) nickname?: string;
}

/** `question:moderate` */
export class ModerateQuestionDto {
  @ApiProperty({ minimum: 1 }) @IsInt() @Min(1) @Max(MAX_ID) questionId: number;
  @ApiProperty({ enum: ['approve', 'reject'] }) @IsIn(['approve', 'reject']) decision: 'approve' | 'reject';
  @ApiPropertyOptional({ maxLength: 200 }) @IsOptional() @IsString() @MaxLength(200) reason?: string;
}

/** `question:upvote` and `question:highlight` */
export class QuestionRefDto {
  @ApiProperty({ minimum: 1 }) @IsInt() @Min(1) @Max(MAX_ID) questionId: number;
}

/** `question:answer` */
export class AnswerQuestionDto {
  @ApiProperty({ minimum: 1 }) @IsInt() @Min(1) @Max(MAX_ID) questionId: number;
  @ApiProperty({ minLength: 1, maxLength: 2000, description: 'the answer; for an on-air answer a short summary' })
  @IsString()
  @Length(1, 2000)
  text: string;
  @ApiPropertyOptional({ description: 'answered live on the stream' }) @IsOptional() @IsBoolean() onAir?: boolean;
  @ApiPropertyOptional({ description: 'moderator/admin: the session leader on whose behalf the answer is written (default: the first)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_ID)
  leaderId?: number;
}
