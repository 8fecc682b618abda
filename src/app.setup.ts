import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { join } from 'node:path';
import { APP_CONFIG, AppConfig } from './config/app-config';
import { refuseIllFormedText, verifyBody } from './common/body-checks';
import { HttpErrorFilter } from './common/http-exception.filter';
import { HubIoAdapter } from './common/socket-io.adapter';
import { lifecycle } from './common/lifecycle';
import { projectRoot } from './common/paths';

function flatten(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((e) => {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((m) => (m.startsWith(e.property) ? `${path}${m.slice(e.property.length)}` : `${path}: ${m}`));
    return [...own, ...flatten(e.children ?? [], path)];
  });
}

/** Per-field messages in Nest's error shape, for REST and (via WsException) sockets alike. */
export const validationPipe = new ValidationPipe({
  whitelist: true,
  forbidNonWhitelisted: true,
  transform: true,
  exceptionFactory: (errors) => new BadRequestException(flatten(errors)),
});

/** Everything main.ts and the e2e tests both apply to the app. */
export function configureApp(app: NestExpressApplication): AppConfig {
  const cfg = app.get<AppConfig>(APP_CONFIG);
  app.set('trust proxy', 'loopback');
  app.disable('x-powered-by');
  // While shutting down, every answer closes its connection, so the server can close once they are answered.
  app.use((_req: unknown, res: { setHeader: (k: string, v: string) => void }, next: () => void) => {
    if (lifecycle.draining) res.setHeader('Connection', 'close');
    next();
  });
  app.use(
    helmet({
      contentSecurityPolicy: {
        useDefaults: true,
        directives: {
          'script-src': ["'self'"],
          'style-src': ["'self'", "'unsafe-inline'"],
          'img-src': ["'self'", 'data:', 'blob:'],
          'media-src': ["'self'", 'https:', 'blob:'],
          'frame-src': ["'self'", 'https:'],
          'connect-src': ["'self'", 'ws:', 'wss:', 'https:'],
          'upgrade-insecure-requests': null,
        },
      },
      crossOriginEmbedderPolicy: false,
    }),
  );
  if (cfg.corsOrigins.length) app.enableCors({ origin: cfg.corsOrigins, credentials: false, maxAge: 600 });
  app.useBodyParser('json', { limit: cfg.bodyLimit, verify: verifyBody });
  app.useBodyParser('urlencoded', { limit: cfg.bodyLimit, extended: false, verify: verifyBody });
  app.use(refuseIllFormedText);
  app.useGlobalPipes(validationPipe);
  app.useGlobalFilters(new HttpErrorFilter(app.get(HttpAdapterHost).httpAdapter));
  app.useWebSocketAdapter(new HubIoAdapter(app, cfg));

  const doc = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Zhengmin Hub 政民互动中心')
      .setDescription(
        'REST API of the interaction hub: 12341 hotline tickets, quarterly hot topics, livestream schedule and Q&A, single-window status. ' +
          'Errors use Nest\'s shape {statusCode, error, message}. Lists take ?page&pageSize (≤ 500) and answer {items,total,page,pageSize}. ' +
          'Times are ISO-8601; the district time zone is Asia/Shanghai. Personal data is masked everywhere except GET /api/tickets/:id for operator/admin (audited). ' +
          'socket.io namespaces /live and /window are described in the project docs (docs/API-SOCKETS.md).',
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, doc, { jsonDocumentUrl: 'api/docs-json', customSiteTitle: '政民互动中心 API' });

  const root = projectRoot();
  app.useStaticAssets(join(root, 'public'), { index: ['index.html'], maxAge: '5m' });
  app.useStaticAssets(join(root, 'node_modules', 'echarts', 'dist'), { prefix: '/vendor/echarts/', maxAge: '1d' });
  // Stop signals are handled in main.ts (drain, then app.close()); tests close the app themselves.
  return cfg;
}
