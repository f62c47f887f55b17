package app

import (
	"context"

	"cordon"
	"cordon/internal/store"
)

// SchemaVersion names the database and its newest applied migration.
func (a *App) SchemaVersion(ctx context.Context) (kind, version string, err error) {
	version, err = a.db.SchemaVersion(ctx)
	return a.db.Kind(), version, err
}

// Backup writes a consistent copy of the running database to path. Only
// the operator at the command line (the System actor) may; the backup is
// audited, since it holds everyone's records.
func (a *App) Backup(ctx context.Context, actor cordon.Actor, path string) error {
	if actor != System {
		return cordon.ErrForbidden
	}
	if err := a.db.Backup(ctx, path); err != nil {
		return err
	}
	return a.db.Transact(ctx, func(tx *store.Tx) error {
		return audit(ctx, tx, actor, "database.backup", "", "", path)
	})
}
