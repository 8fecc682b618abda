import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { AppConfig } from '../config/app-config';

/** Connection parts of a mysql:// URL for the mariadb/mysql command-line tools (password via MYSQL_PWD, never argv). */
function mysqlArgs(url: string): { args: string[]; env: NodeJS.ProcessEnv; database: string } {
  const u = new URL(url);
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  return {
    args: ['-h', u.hostname, '-P', u.port || '3306', '-u', decodeURIComponent(u.username), '--default-character-set=utf8mb4'],
    env: { ...process.env, MYSQL_PWD: decodeURIComponent(u.password) },
    database,
  };
}

function tool(names: string[]): string {
  for (const n of names) for (const d of ['/usr/bin', '/usr/local/bin']) if (existsSync(`${d}/${n}`)) return `${d}/${n}`;
  return names[names.length - 1];
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, io: { stdin?: string; stdout?: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { env, stdio: [io.stdin ? 'pipe' : 'ignore', io.stdout ? 'pipe' : 'ignore', 'pipe'] });
    let err = '';
    p.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    if (io.stdout) p.stdout!.pipe(createWriteStream(io.stdout));
    if (io.stdin) createReadStream(io.stdin).pipe(p.stdin!);
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} exited ${code}: ${err.trim().split('\n')[0]}`))));
  });
}

/**
 * A consistent copy of the database: SQLite's online backup API into a .sqlite file, or a mysqldump
 * (`--single-transaction`, so the server keeps serving) into a .sql file.
 */
export async function backupDatabase(db: AppConfig['db'], file: string): Promise<void> {
  mkdirSync(dirname(file), { recursive: true });
  if (db.type === 'sqlite') {
    const src = new Database(db.path, { readonly: true, fileMustExist: true });
    try {
      await src.backup(file);
    } finally {
      src.close();
    }
    return;
  }
  const { args, env, database } = mysqlArgs(db.url);
  await run(tool(['mariadb-dump', 'mysqldump']), [...args, '--single-transaction', '--routines', '--add-drop-table', database], env, { stdout: file });
}

/** Put a backup back (stop the server first): the SQLite file is replaced page by page; the SQL dump is replayed. */
export async function restoreDatabase(db: AppConfig['db'], file: string): Promise<void> {
  if (!existsSync(file)) throw new Error(`no backup file at ${file}`);
  if (db.type === 'sqlite') {
    const src = new Database(file, { readonly: true, fileMustExist: true });
    try {
      mkdirSync(dirname(db.path), { recursive: true });
      await src.backup(db.path);
    } finally {
      src.close();
    }
    return;
  }
  const { args, env, database } = mysqlArgs(db.url);
  await run(tool(['mariadb', 'mysql']), [...args, database], env, { stdin: file });
}
