import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import { DaemonError } from '../../errors.js';
import { initialMigration } from './001-initial.js';
import { backfillsMigration } from './002-backfills.js';
import { automationMigration } from './003-automation.js';
import { leasesMigration } from './004-leases.js';
import { fleetLimitsMigration } from './005-fleet-limits.js';
import type { SqlFlavor } from './sql-flavor.js';

/**
 * Numbered, in-code migrations applied on open. A migration is never edited once released: a
 * schema change is a new numbered migration. Before migrating, a database that has applied
 * migrations this code does not know (written by a newer Cairn) is refused, because running old
 * code against a newer schema could corrupt it silently.
 */

/** Where kysely records applied migrations (prefixed so the user's own tables never clash). */
export const MIGRATION_TABLE = 'cairn_migration';
/** kysely's migration lock table. */
export const MIGRATION_LOCK_TABLE = 'cairn_migration_lock';

/** The migrations this version knows, by name; names sort in the order they apply. */
export function cairnMigrations(flavor: SqlFlavor): Record<string, Migration> {
  return {
    '001_initial': initialMigration(flavor),
    '002_backfills': backfillsMigration(),
    '003_automation': automationMigration(flavor),
    '004_leases': leasesMigration(),
    '005_fleet_limits': fleetLimitsMigration(),
  };
}

/** A kysely provider of the in-code migrations. */
export class CairnMigrationProvider implements MigrationProvider {
  readonly #migrations: Record<string, Migration>;

  constructor(flavor: SqlFlavor) {
    this.#migrations = cairnMigrations(flavor);
  }

  /** Returns the migrations by name. */
  async getMigrations(): Promise<Record<string, Migration>> {
    return this.#migrations;
  }
}

/** The names of the migrations recorded as applied in `db` (none for a new database). */
export async function appliedMigrations(db: Kysely<any>): Promise<string[]> {
  const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
  if (!tables.some((t) => t.name === MIGRATION_TABLE)) return [];
  const rows = await db.selectFrom(MIGRATION_TABLE).select('name').orderBy('name').execute();
  return rows.map((r) => String(r.name));
}

/**
 * Refuses a database with migrations this code does not know (CAIRN_SCHEMA_TOO_NEW), then applies
 * the missing ones in order. Returns the names applied now.
 */
export async function migrateToLatest(
  db: Kysely<any>,
  flavor: SqlFlavor,
  where: string,
): Promise<string[]> {
  const known = Object.keys(cairnMigrations(flavor)).sort();
  const latest = known[known.length - 1]!;
  const applied = await appliedMigrations(db);
  const unknown = applied.filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new DaemonError(
      'CAIRN_SCHEMA_TOO_NEW',
      `The database ${where} was created or upgraded by a newer version of Cairn: it has applied migration(s) ${unknown.join(', ')}, and this version only knows up to ${latest}. Run the newer Cairn that wrote it, or point this daemon at another database; do not edit ${MIGRATION_TABLE} by hand.`,
      { where, unknownMigrations: unknown, latestKnown: latest },
    );
  }
  const migrator = new Migrator({
    db,
    provider: new CairnMigrationProvider(flavor),
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new DaemonError(
      'CAIRN_MIGRATION_FAILED',
      `Migrating the database ${where} failed${failed === undefined ? '' : ` at ${failed}`}: ${error instanceof Error ? error.message : String(error)}. The failed migration was rolled back; fix the cause (disk space, permissions) and start again.`,
      { where, migration: failed },
      { cause: error },
    );
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
