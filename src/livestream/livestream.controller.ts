import { BadRequestException, Body, Controller, Delete, Get, HttpCode, Param, ParseIntPipe, Patch, Post, Query, Req, UnsupportedMediaTypeException, PayloadTooLargeException } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { isUtf8 } from 'node:buffer';
import { Public, Roles } from '../auth/decorators';
import { ConfirmProposalsDto, CreateLeaderDto, LeaderQuery, CreateSessionDto, CreateShiftDto, ProposalQuery, SessionQuery, ShiftQuery, UpdateSessionDto } from './dto/livestream.dto';
import { HotlineDutyService } from './hotline-duty.service';
import { LeadersService } from './leaders.service';
import { LivestreamService } from './livestream.service';
import { parsePlanCsv } from './plan-csv';
import { ProposalsService } from './proposals.service';

const MAX_PLAN_BYTES = 2 * 1024 * 1024;

/** A list body (plan, roster): JSON (already parsed) or text/csv read here. */
async function planBody(req: Request, body: unknown): Promise<unknown[]> {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/json') {
    if (!Array.isArray(body)) throw new BadRequestException(['the body must be a JSON array']);
    return body;
  }
  if (type !== 'text/csv' && type !== 'text/plain') throw new UnsupportedMediaTypeException('send the plan as application/json or text/csv');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_PLAN_BYTES) throw new PayloadTooLargeException('plan file larger than 2 MB');
    chunks.push(c);
  }
  const bytes = Buffer.concat(chunks);
  if (!isUtf8(bytes)) throw new BadRequestException(['CSV: the file is not valid UTF-8 (save it as UTF-8)']);
  try {
    return parsePlanCsv(bytes.toString('utf8'));
  } catch (e) {
    throw new BadRequestException([`CSV: ${(e as Error).message}`]);
  }
}

@ApiTags('livestream')
@ApiBearerAuth()
@Controller('api/leaders')
export class LeadersController {
  constructor(private readonly leaders: LeadersService) {}

  @Post()
  @Roles('admin')
  @ApiOperation({ summary: 'Add a leader (name, title, department, e-mail for invitations)' })
  create(@Body() dto: CreateLeaderDto) {
    return this.leaders.create(dto);
  }

  @Get()
  @Roles('admin')
  @ApiOperation({ summary: 'Leaders (with e-mail; admin only), paginated, optionally of one department' })
  list(@Query() q: LeaderQuery) {
    return this.leaders.list(q.page, q.pageSize, q.departmentCode);
  }
}

@ApiTags('livestream')
@ApiBearerAuth()
@Controller('api/livestream')
export class LivestreamController {
  constructor(
    private readonly sessions: LivestreamService,
    private readonly proposals: ProposalsService,
  ) {}

  @Post('sessions')
  @Roles('admin')
  @ApiOperation({ summary: 'Schedule a session; 409 naming the clash (leader double-booked, no free room, outside the weekly slots, holiday). Leaders get an invitation with .ics.' })
  create(@Body() dto: CreateSessionDto) {
    return this.sessions.create(dto);
  }

  @Get('sessions')
  @Public()
  @ApiOperation({ summary: 'Sessions by start time (public; leaders by name and title only)' })
  list(@Query() q: SessionQuery) {
    return this.sessions.list(q);
  }

  @Get('sessions/:id')
  @Public()
  @ApiOperation({ summary: 'One session (public)' })
  get(@Param('id', ParseIntPipe) id: number) {
    return this.sessions.get(id);
  }

  @Patch('sessions/:id')
  @Roles('admin')
  @ApiOperation({ summary: 'Edit, reschedule or reassign; leaders get an update, new leaders an invitation, removed leaders a cancellation' })
  update(@Param('id', ParseIntPipe) id: number, @Body() dto: UpdateSessionDto) {
    return this.sessions.update(id, dto);
  }

  @Post('sessions/:id/start')
  @HttpCode(200)
  @Roles('admin', 'moderator')
  @ApiOperation({ summary: 'scheduled → live (409 otherwise)' })
  start(@Param('id', ParseIntPipe) id: number) {
    return this.sessions.transition(id, 'start');
  }

  @Post('sessions/:id/end')
  @HttpCode(200)
  @Roles('admin', 'moderator')
  @ApiOperation({ summary: 'live → ended (409 otherwise)' })
  end(@Param('id', ParseIntPipe) id: number) {
    return this.sessions.transition(id, 'end');
  }

  @Post('sessions/:id/cancel')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: 'scheduled → cancelled; leaders get a cancellation (METHOD:CANCEL)' })
  cancel(@Param('id', ParseIntPipe) id: number) {
    return this.sessions.transition(id, 'cancel');
  }

  @Post('plan/import')
  @Roles('admin')
  @ApiConsumes('application/json', 'text/csv')
  @ApiBody({ description: 'JSON array [{title, departmentCode, startsAt, endsAt, topicKeys?, leaderIds?}] or CSV with those headers (times in Asia/Shanghai, e.g. 2026-03-10 15:00; lists separated by ;). All or nothing: 400 with errors [{row, message}].' })
  @ApiOperation({ summary: 'Import the yearly plan (planned sessions)' })
  async importPlan(@Req() req: Request, @Body() body: unknown) {
    return this.sessions.importPlan(await planBody(req, body));
  }

  @Post('proposals')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: "Propose unplanned sessions for the previous quarter's top hot topics that no planned session of the quarter covers" })
  propose(@Query() q: ProposalQuery) {
    return this.proposals.propose(q.quarter);
  }

  @Post('proposals/confirm')
  @Roles('admin')
  @ApiOperation({ summary: 'Create the proposed sessions (planned=false) and invite their leaders' })
  confirm(@Body() dto: ConfirmProposalsDto) {
    return this.proposals.confirm(dto.proposals);
  }
}

@ApiTags('hotline-duty')
@ApiBearerAuth()
@Controller('api/hotline-duty/shifts')
export class HotlineDutyController {
  constructor(private readonly duty: HotlineDutyService) {}

  @Post()
  @Roles('admin')
  @ApiOperation({ summary: "Put a leader on hotline duty; 409 when it overlaps the leader's sessions or shifts" })
  create(@Body() dto: CreateShiftDto) {
    return this.duty.create(dto);
  }

  @Post('import')
  @Roles('admin')
  @ApiConsumes('application/json', 'text/csv')
  @ApiBody({ description: 'JSON array [{leaderId, startsAt, endsAt}] or CSV with those headers (times in Asia/Shanghai). All or nothing: 400 with errors [{row, message}].' })
  @ApiOperation({ summary: 'Import a duty roster' })
  async importRoster(@Req() req: Request, @Body() body: unknown) {
    return this.duty.importRoster(await planBody(req, body));
  }

  @Get()
  @Roles('admin', 'operator')
  @ApiOperation({ summary: 'The duty roster between from and to' })
  list(@Query() q: ShiftQuery) {
    return this.duty.list(q.from, q.to, q.page, q.pageSize);
  }

  @Delete(':id')
  @HttpCode(204)
  @Roles('admin')
  @ApiOperation({ summary: 'Remove a shift (the leader gets a cancellation)' })
  async remove(@Param('id', ParseIntPipe) id: number) {
    await this.duty.remove(id);
  }
}
