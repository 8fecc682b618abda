import { Controller, Get, Module, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Public } from '../auth/decorators';
import { lifecycle } from '../common/lifecycle';
import { RedisService } from '../common/redis.service';

@ApiTags('health')
@Controller('health')
class HealthController {
  constructor(@InjectDataSource() private readonly ds: DataSource, private readonly redis: RedisService) {}

  @Public()
  @Get()
  @ApiOkResponse({ description: 'the process is alive' })
  live() {
    return { status: 'ok' };
  }

  @Public()
  @Get('ready')
  @ApiOkResponse({ description: 'the database answers' })
  @ApiServiceUnavailableResponse({ description: 'the database does not answer (within 1.5 s), or the instance is shutting down' })
  async ready() {
    if (lifecycle.draining) throw new ServiceUnavailableException({ statusCode: 503, error: 'Service Unavailable', message: 'shutting down', status: 'draining' });
    try {
      await Promise.race([this.ds.query('SELECT 1'), new Promise((_, rej) => setTimeout(() => rej(new Error('timeout')), 1500).unref())]);
    } catch {
      throw new ServiceUnavailableException({ statusCode: 503, error: 'Service Unavailable', message: 'database unreachable', database: 'down' });
    }
    return { status: 'ok', database: 'up', redis: this.redis.client ? (this.redis.ready ? 'up' : 'down') : 'not configured' };
  }
}

@Module({ controllers: [HealthController] })
export class HealthModule {}
