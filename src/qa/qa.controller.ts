import { Controller, Get, HttpCode, Param, ParseIntPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public, Roles } from '../auth/decorators';
import { PageQuery } from '../common/pagination';
import { QaService } from './qa.service';

@ApiTags('live Q&A')
@Controller('api/livestream/sessions')
export class QaController {
  constructor(private readonly qa: QaService) {}

  @Public()
  @Get(':id/questions')
  @ApiOperation({ summary: 'Approved questions of a session with their answers, most upvoted first (public, no personal data)' })
  list(@Param('id', ParseIntPipe) id: number, @Query() q: PageQuery) {
    return this.qa.listApproved(id, q.page, q.pageSize);
  }
}

@ApiTags('live Q&A')
@ApiBearerAuth()
@Controller('api/qa')
export class QaAdminController {
  constructor(private readonly qa: QaService) {}

  @Roles('admin')
  @Post('sensitive-words/reload')
  @HttpCode(200)
  @ApiOperation({ summary: 'Re-read config/sensitive-words.txt now (it is also watched for changes)' })
  @ApiOkResponse({ schema: { example: { words: 30 } } })
  reload() {
    return this.qa.reloadWords();
  }
}
