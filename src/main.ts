import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { configureApp } from './app.setup';
import { ConfigError, loadConfig } from './config/app-config';
import { JsonLogger } from './common/json-logger';
import { lifecycle } from './common/lifecycle';
import { trackConnections } from './common/graceful-close';

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
  const connections = trackConnections(app.getHttpServer());
  let closing = false;
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.once(sig, () => {
      if (closing) return;
      closing = true;
      const log = new Logger('Shutdown');
      // Hard limit from the signal on: drain + close must fit in it.
      setTimeout(() => {
        log.warn(`still closing after ${cfg.shutdownTimeoutMs} ms; exiting`);
        process.exit(1);
      }, cfg.shutdownTimeoutMs).unref();
      // Drain: keep serving while /health/ready says 503, then close (in-flight requests finish, then the
      // modules' shutdown hooks run) and re-raise the signal for the default exit.
      lifecycle.draining = true;
      const drain = Math.min(cfg.shutdownDrainMs, Math.floor(cfg.shutdownTimeoutMs / 2));
      log.log(`${sig}: draining for ${drain} ms, then closing`);
      setTimeout(() => {
        connections.prepareClose();
        app.close().then(
          () => process.kill(process.pid, sig),
          (e: Error) => {
            log.error(`shutdown failed: ${e.message}`);
            process.exit(1);
          },
        );
      }, drain);
    });
  }
  await app.listen(cfg.port);
  const port = (app.getHttpServer().address() as { port: number }).port;
  new Logger('Main').log({ msg: `Zhengmin Hub listening on http://localhost:${port} (public page /, console /console/, API docs /api/docs)`, port });
}

void bootstrap();
