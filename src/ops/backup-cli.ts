/**
 * npm run backup [-- file]   → a copy of DATABASE_URL (default backups/hub-<time>.sqlite|.sql)
 * npm run restore -- file    → put it back (stop the server first)
 */
import { loadConfig } from '../config/app-config';
import { backupDatabase, restoreDatabase } from './backup';

async function main(): Promise<void> {
  const [cmd, file] = process.argv.slice(2);
  const cfg = loadConfig();
  if (cmd === 'backup') {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const out = file ?? `backups/hub-${stamp}.${cfg.db.type === 'sqlite' ? 'sqlite' : 'sql'}`;
    await backupDatabase(cfg.db, out);
    process.stdout.write(JSON.stringify({ level: 'info', msg: 'backup written', file: out }) + '\n');
  } else if (cmd === 'restore' && file) {
    await restoreDatabase(cfg.db, file);
    process.stdout.write(JSON.stringify({ level: 'info', msg: 'backup restored', file }) + '\n');
  } else {
    process.stderr.write('usage: backup [file] | restore <file>\n');
    process.exit(2);
  }
}
main().catch((e: Error) => {
  process.stderr.write(JSON.stringify({ level: 'error', msg: e.message }) + '\n');
  process.exit(1);
});
