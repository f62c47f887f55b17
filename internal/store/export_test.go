package store

import "context"

// ExecForTest runs a statement on the write pool, bypassing the store's
// API, so that tests can try what the API never does (change the audit log).
func (db *DB) ExecForTest(ctx context.Context, q string, args ...any) error {
	_, err := db.write.ExecContext(ctx, db.dialect.rebind(q), args...)
	return db.mapErr(err)
}

// QueryStringForTest returns the first column of the first row a query
// answers, for checks such as PRAGMA integrity_check.
func (db *DB) QueryStringForTest(ctx context.Context, q string, args ...any) (string, error) {
	var s string
	err := db.read.QueryRowContext(ctx, db.dialect.rebind(q), args...).Scan(&s)
	return s, err
}

// QueryStringInTx is QueryStringForTest inside a transaction, on its
// connection.
func (tx *Tx) QueryStringInTx(ctx context.Context, q string) (string, error) {
	var s string
	err := tx.queryRow(ctx, q).Scan(&s)
	return s, err
}
