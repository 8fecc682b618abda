import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsISO8601, IsOptional, IsString, Length, Matches, Max, MaxLength, Min, Validate, ValidatorConstraint, ValidatorConstraintInterface } from 'class-validator';
import { PageQuery } from '../../common/pagination';
import { APPLICATION_STATUSES, ApplicationStatus, parseRating, RATING_LABELS } from '../window-rules';

export class CreateApplicationDto {
  @ApiProperty({ example: '营业执照变更登记', description: 'the matter applied for (事项), 2–200 chars' })
  @IsString()
  @Length(2, 200)
  matter: string;

  @ApiProperty({ example: '王小明', description: 'applicant name; stored, returned only masked (王**)' })
  @IsString()
  @Length(1, 64)
  applicantName: string;

  @ApiProperty({ example: '13812345678', description: 'applicant phone (mainland mobile or landline); returned only masked' })
  @IsString()
  @Matches(/^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$/, { message: 'applicantPhone must be a mainland mobile number (11 digits) or a landline like 010-66123456' })
  applicantPhone: string;

  @ApiProperty({ example: 'city', description: 'a department code of GET /api/departments' })
  @IsString()
  @Length(1, 32)
  departmentCode: string;

  @ApiProperty({ example: 5, minimum: 1, maximum: 365, description: 'promised working days (承诺办结时限); dueAt = close of business of the n-th working day after acceptance' })
  @IsInt()
  @Min(1)
  @Max(365)
  promisedDays: number;
}

export class UpdateStatusDto {
  @ApiProperty({ enum: APPLICATION_STATUSES, description: 'accepted→under_review; under_review→needs_supplement|completed|rejected; needs_supplement→under_review' })
  @IsIn(APPLICATION_STATUSES as unknown as string[])
  status: ApplicationStatus;

  @ApiPropertyOptional({ example: '请补充身份证复印件', description: 'shown to the applicant (phone numbers and the applicant name masked)' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  note?: string;
}

export class QueryCodeQuery {
  @ApiProperty({ example: '123456', description: 'the 6-digit query code handed to the applicant' })
  @IsString()
  @Matches(/^\d{6}$/, { message: 'code must be 6 digits' })
  code: string;
}

@ValidatorConstraint({ name: 'rating' })
class RatingConstraint implements ValidatorConstraintInterface {
  validate(v: unknown): boolean {
    return parseRating(v) !== undefined;
  }
  defaultMessage(): string {
    return `rating must be 1–5 or one of ${Object.values(RATING_LABELS).join(', ')}`;
  }
}

export class RateApplicationDto {
  @ApiProperty({
    oneOf: [{ type: 'integer', minimum: 1, maximum: 5 }, { type: 'string', enum: Object.values(RATING_LABELS) }],
    example: 5,
    description: '1 非常不满意, 2 不满意, 3 基本满意, 4 满意, 5 非常满意 (the number or the word)',
  })
  @Validate(RatingConstraint)
  rating: number | string;

  @ApiPropertyOptional({ example: '窗口服务很耐心', maxLength: 500 })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  comment?: string;
}

export class ListApplicationsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: APPLICATION_STATUSES })
  @IsOptional()
  @IsIn(APPLICATION_STATUSES as unknown as string[])
  status?: ApplicationStatus;

  @ApiPropertyOptional({ example: 'city' })
  @IsOptional()
  @IsString()
  @Length(1, 32)
  departmentCode?: string;

  @ApiPropertyOptional({ description: 'only overdue (true) or only not overdue (false)' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  overdue?: boolean;
}

export class StatsQuery {
  @ApiPropertyOptional({ example: '2026-11-01', description: 'ISO date or date-time; a date is local midnight (Asia/Shanghai). Default: 30 days before `to`' })
  @IsOptional()
  @IsISO8601()
  from?: string;

  @ApiPropertyOptional({ example: '2026-12-01', description: 'exclusive end; default now' })
  @IsOptional()
  @IsISO8601()
  to?: string;
}

export class BadRatingsQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'city' })
  @IsOptional()
  @IsString()
  @Length(1, 32)
  departmentCode?: string;
}

/** Socket payload of `application:watch`. */
export class WatchDto {
  @IsString()
  @Matches(/^\d{8}-[a-z0-9_]{1,32}-\d{4,6}$/, { message: 'receiptNo must look like 20261128-city-0007' })
  receiptNo: string;

  @IsString()
  @Matches(/^\d{6}$/, { message: 'code must be 6 digits' })
  code: string;
}
