import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AuthUser, CurrentUser, Public, Roles } from '../auth/decorators';
import { CreateOpen311KeyDto, Open311ListQuery, Open311RequestDto } from './dto/open311.dto';
import { Open311Service } from './open311.service';

@ApiTags('open311')
@Controller('open311/v2')
export class Open311Controller {
  constructor(private readonly open311: Open311Service) {}

  @Public()
  @Get('services.json')
  @ApiOperation({ summary: 'GeoReport v2 service list (the hot-topic taxonomy)' })
  services() {
    return this.open311.services();
  }

  @Public()
  @Post('requests.json')
  @HttpCode(201)
  @ApiOperation({ summary: 'File a service request (needs an admin-issued api_key); creates a hotline ticket' })
  create(@Body() dto: Open311RequestDto) {
    return this.open311.create(dto);
  }

  @Public()
  @Get('requests.json')
  @ApiOperation({ summary: 'Service requests (no personal data); status open|closed; default the last 90 days' })
  list(@Query() q: Open311ListQuery) {
    return this.open311.list(q);
  }

  @Public()
  @Get('requests/:id.json')
  @ApiOperation({ summary: 'One service request by its id (the ticket number)' })
  one(@Param('id') id: string) {
    return this.open311.one(id);
  }
}

@ApiTags('open311')
@ApiBearerAuth()
@Controller('api/open311/keys')
export class Open311KeysController {
  constructor(private readonly open311: Open311Service) {}

  @Post()
  @Roles('admin')
  @ApiOperation({ summary: 'Issue an Open311 api_key (admin); the key is shown once' })
  issue(@Body() dto: CreateOpen311KeyDto, @CurrentUser() user: AuthUser) {
    return this.open311.issueKey(dto.label, user.id);
  }
}
