import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The project folder (holds package.json, config/, public/), from src/ or dist/src/ alike. */
export function projectRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'config'))) return dir;
    dir = dirname(dir);
  }
  return process.cwd();
}

/** A file of config/ (HUB_CONFIG_DIR overrides the folder). */
export function configPath(file: string): string {
  return join(process.env.HUB_CONFIG_DIR ?? join(projectRoot(), 'config'), file);
}
