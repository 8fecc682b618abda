import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import { AuthUser, CurrentUser, Public, Roles } from '../auth/decorators';
import { BadRatingsQuery, CreateApplicationDto, ListApplicationsQuery, QueryCodeQuery, RateApplicationDto, StatsQuery, UpdateStatusDto } from './dto/window.dto';
import { WindowService } from './window.service';

@ApiTags('window')
@Controller('api/window')
export class WindowController {
  constructor(private readonly window: WindowService) {}

  @ApiBearerAuth()
  @Roles('clerk')
  @Post('applications')
  @ApiOperation({ summary: 'Accept an application (clerk, admin)', description: 'Answers the application (applicant masked) plus `queryCode`, 6 digits, shown only here: give it to the applicant. receiptNo = local date + department + daily sequence (20261128-city-0007); dueAt = close of business of the promisedDays-th working day after acceptance on the district calendar.' })
  @ApiCreatedResponse({ description: 'the application plus queryCode' })
  create(@Body() dto: CreateApplicationDto, @CurrentUser() user: AuthUser) {
    return this.window.create(dto, user);
  }

  @ApiBearerAuth()
  @Roles('clerk')
  @Get('applications')
  @ApiOperation({ summary: 'List applications, newest first, masked (clerk, admin)' })
  list(@Query() q: ListApplicationsQuery) {
    return this.window.list(q);
  }

  @ApiBearerAuth()
  @Roles('clerk')
  @Patch('applications/:receiptNo/status')
  @ApiOperation({ summary: 'Move an application (clerk, admin)', description: 'accepted→under_review; under_review→needs_supplement|completed|rejected; needs_supplement→under_review. Anything else → 409 with `allowed` (the allowed next states).' })
  @ApiConflictResponse({ description: 'illegal transition; body.allowed lists the allowed next states' })
  @ApiNotFoundResponse({ description: 'unknown receipt' })
  changeStatus(@Param('receiptNo') receiptNo: string, @Body() dto: UpdateStatusDto, @CurrentUser() user: AuthUser) {
    return this.window.changeStatus(receiptNo, dto, user);
  }

  @Public()
  @Get('applications/:receiptNo')
  @ApiOperation({ summary: 'Public lookup by receipt and query code', description: 'Masked applicant, status and status in Chinese (受理/审核中/需补正材料/已办结/不予受理), history. Wrong code and unknown receipt give the same 404. 5 wrong codes for one receipt lock it for 15 minutes (429, also for the right code).' })
  @ApiNotFoundResponse({ description: 'unknown receipt or wrong code (same answer)' })
  @ApiTooManyRequestsResponse({ description: 'receipt locked after 5 wrong codes (15 minutes)' })
  lookup(@Param('receiptNo') receiptNo: string, @Query() q: QueryCodeQuery) {
    return this.window.lookup(receiptNo, q.code);
  }

  @Public()
  @Post('applications/:receiptNo/rating')
  @HttpCode(201)
  @ApiOperation({ summary: 'Rate a completed application once (好差评), with the query code', description: 'rating: 1 非常不满意, 2 不满意, 3 基本满意, 4 满意, 5 非常满意 (number or word). 409 when not completed or already rated.' })
  @ApiConflictResponse({ description: 'not completed yet, or already rated' })
  @ApiNotFoundResponse({ description: 'unknown receipt or wrong code' })
  @ApiTooManyRequestsResponse({ description: 'receipt locked after 5 wrong codes' })
  rate(@Param('receiptNo') receiptNo: string, @Query() q: QueryCodeQuery, @Body() dto: RateApplicationDto) {
    return this.window.rate(receiptNo, q.code, dto);
  }

  @Public()
  @Get('board')
  @ApiOperation({ summary: "Today's board (Asia/Shanghai), per department", description: 'accepted (today), inProgress (open now), completed / rejected (today), overdue (open and past due now), avgHandlingHours (completedAt − acceptedAt of those completed today), satisfaction (ratings given today). No personal data.' })
  @ApiOkResponse({ description: '{date, generatedAt, totals, departments:[{code, name, accepted, inProgress, completed, rejected, overdue, avgHandlingHours, satisfaction}]}' })
  board() {
    return this.window.board();
  }

  @ApiBearerAuth()
  @Roles('clerk')
  @Get('stats')
  @ApiOperation({ summary: 'Satisfaction per department for ratings given in [from, to) (clerk, admin)' })
  stats(@Query() q: StatsQuery) {
    return this.window.stats(q);
  }

  @ApiBearerAuth()
  @Roles('clerk')
  @Get('ratings/bad')
  @ApiOperation({ summary: 'Bad ratings (≤ 2: 不满意, 非常不满意) for follow-up, newest first, masked (clerk, admin)' })
  badRatings(@Query() q: BadRatingsQuery) {
    return this.window.badRatings(q);
  }
}
