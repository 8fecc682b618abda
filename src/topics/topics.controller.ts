import { Body, Controller, Get, Header, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public, Roles } from '../auth/decorators';
import { SuggestDto } from './dto/suggest.dto';
import { TopicsService } from './topics.service';

@ApiTags('topics')
@ApiBearerAuth()
@Controller('api/topics')
export class TopicsController {
  constructor(private readonly topics: TopicsService) {}

  @Public()
  @Get('taxonomy')
  @ApiOperation({ summary: 'The topic taxonomy of config/topics.json (public: no personal data)' })
  taxonomy() {
    return this.topics.taxonomy();
  }

  @Roles('admin', 'moderator', 'leader')
  @Get('quarters/:quarter.csv')
  @ApiProduces('text/csv')
  @ApiOperation({ summary: 'The quarter report as UTF-8 CSV with BOM (opens in Excel with Chinese intact); 404 when none' })
  async csv(@Param('quarter') quarter: string, @Res() res: Response) {
    const body = await this.topics.csv(quarter);
    res
      .status(200)
      .setHeader('Content-Type', 'text/csv; charset=utf-8')
      .setHeader('Content-Disposition', `attachment; filename="topics-${quarter}.csv"`)
      .send(body);
  }

  @Roles('admin', 'moderator', 'leader')
  @Get('quarters/:quarter')
  @ApiOperation({ summary: 'The quarter report (status running with progress while a run goes); 400 malformed quarter, 404 none' })
  report(@Param('quarter') quarter: string) {
    return this.topics.report(quarter);
  }

  @Roles('admin')
  @Post('quarters/:quarter/run')
  @HttpCode(202)
  @ApiQuery({ name: 'wait', required: false, description: 'true: answer only when the run is done (still 202)' })
  @ApiOperation({ summary: 'Tag every ticket of the quarter and rebuild its report in the background (202); 409 while one runs' })
  run(@Param('quarter') quarter: string, @Query('wait') wait?: string) {
    return this.topics.start(quarter, wait === 'true' || wait === '1');
  }
}

@ApiTags('tickets')
@ApiBearerAuth()
@Controller('api/tickets')
export class SuggestController {
  constructor(private readonly topics: TopicsService) {}

  @Roles('operator')
  @Post('suggest')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ description: '{topics:[{key,label,confidence}], departments:[{code,name,confidence}]}, best first' })
  @ApiOperation({ summary: 'Dispatch suggestion (派单) for a ticket text, in memory, well under 50 ms' })
  suggest(@Body() dto: SuggestDto) {
    return this.topics.suggest(dto.content);
  }
}
