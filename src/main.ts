import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { ConfigError, loadConfig } from './config/app-config';
import { JsonLogger } from './common/json-logger';

async function bootstrap(): Promise<void> {
  try {
    loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`configuration error: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  const app = await NestFactory.create<NestExpressApplication>(AppModule, { logger: new JsonLogger(), bufferLogs: true });
  const cfg = configureApp(app);
  let closing = false;
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.once(sig, () => {
      if (closing) return;
      closing = true;
      // Nest's shutdown hooks close the server (in-flight requests finish); force exit if it takes too long.
      setTimeout(() => {
        new Logger('Shutdown').warn(`still closing after ${cfg.shutdownTimeoutMs} ms; exiting`);
        process.exit(1);
      }, cfg.shutdownTimeoutMs).unref();
    });
  }
  await app.listen(cfg.port);
  const port = (app.getHttpServer().address() as { port: number }).port;
  new Logger('Main').log({ msg: `Zhengmin Hub listening on http://localhost:${port} (public page /, console /console/, API docs /api/docs)`, port });
}

void bootstrap();
