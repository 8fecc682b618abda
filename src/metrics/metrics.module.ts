import { Controller, Get, Global, Header, Injectable, Module, NestMiddleware, MiddlewareConsumer, NestModule } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { Public } from '../auth/decorators';
import { MetricsService } from './metrics.service';

@Injectable()
class HttpMetricsMiddleware implements NestMiddleware {
  constructor(private readonly m: MetricsService) {}
  use(req: Request, res: Response, next: NextFunction): void {
    const end = this.m.httpDuration.startTimer();
    res.on('finish', () => {
      const route = (req.route?.path as string | undefined) ?? (res.statusCode === 404 ? 'unmatched' : req.baseUrl || 'static');
      this.m.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
      end({ method: req.method, route });
    });
    next();
  }
}

@ApiExcludeController()
@Controller('metrics')
class MetricsController {
  constructor(private readonly m: MetricsService) {}
  @Public()
  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4')
  metrics(): Promise<string> {
    return this.m.registry.metrics();
  }
}

@Global()
@Module({ controllers: [MetricsController], providers: [MetricsService], exports: [MetricsService] })
export class MetricsModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes('*path');
  }
}
