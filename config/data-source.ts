/**
 * DataSource for the TypeORM CLI, e.g.
 *   npx typeorm -d dist/config/data-source.js migration:show
 * Reads DATABASE_URL like the server does.
 */
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadConfig } from '../src/config/app-config';
import { dataSourceOptions } from '../src/database/data-source-options';

export default new DataSource(dataSourceOptions(loadConfig().db));
