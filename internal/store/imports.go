package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"cordon"
)

// ImportJob is one file being imported, or imported: its progress and its
// outcome. Counts and errors are written with the rows they describe, in
// the same transaction, so they are right after a crash too.
type ImportJob struct {
	ID           int64  `json:"id"`
	Kind         string `json:"kind"`         // what the file holds: cases, contacts...
	Jurisdiction string `json:"jurisdiction"` // the importer's, at the start
	AccountID    int64  `json:"account_id"`
	Username     string `json:"username"`
	FileName     string `json:"file_name"`
	Format       string `json:"format"` // csv or xlsx
	Status       string `json:"status"` // ImportRunning, ImportDone or ImportFailed
	// Error is the code of what stopped a failed job: import.interrupted
	// when the server stopped under it, internal for a fault of ours.
	Error      string    `json:"error,omitempty"`
	Total      int       `json:"total"`  // data rows in the file
	Done       int       `json:"done"`   // rows answered, stored or failed
	Stored     int       `json:"stored"` // rows stored
	Failed     int       `json:"failed"` // rows refused, each with at least one error
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"` // the last progress: a running job that stops moving was interrupted
	FinishedAt time.Time `json:"finished_at,omitzero"`
}

// The states of an import.
const (
	ImportRunning = "running"
	ImportDone    = "done"
	ImportFailed  = "failed"
)

// ImportError is why a row of an import was refused: one of these per
// problem, several for a row with several. It holds no value of the row:
// the importer has the file, and the job must not become a copy of it.
type ImportError struct {
	ID      int64  `json:"-"`
	Line    int    `json:"line"`             // as an editor numbers the rows
	Column  string `json:"column,omitempty"` // the file's heading of the cell at fault
	Code    string `json:"code"`             // stable, translated as "error." + code
	Message string `json:"message"`          // English
	// Record is what the row collided with, e.g. "case:12" for a person
	// who has a case already.
	Record string `json:"record,omitempty"`
}

const importColumns = `id, kind, jurisdiction, account_id, username, file_name, format, status, error,
	total, done, stored, failed, created_at, updated_at, finished_at`

func scanImport(sc interface{ Scan(...any) error }) (ImportJob, error) {
	var j ImportJob
	err := sc.Scan(&j.ID, &j.Kind, &j.Jurisdiction, &j.AccountID, &j.Username, &j.FileName, &j.Format, &j.Status, &j.Error,
		&j.Total, &j.Done, &j.Stored, &j.Failed, timeCol{&j.CreatedAt}, timeCol{&j.UpdatedAt}, timeCol{&j.FinishedAt})
	return j, err
}

// CreateImport records a job that starts now, and sets its id and times.
func (tx *Tx) CreateImport(ctx context.Context, j *ImportJob) error {
	j.Status, j.CreatedAt, j.UpdatedAt = ImportRunning, tx.Now, tx.Now
	var err error
	j.ID, err = tx.insert(ctx, `INSERT INTO imports (
		kind,
		jurisdiction,
		account_id,
		username,
		file_name,
		format,
		status,
		total,
		created_at,
		updated_at
	) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		j.Kind, j.Jurisdiction, j.AccountID, j.Username, j.FileName, j.Format, j.Status, j.Total, ts(tx.Now), ts(tx.Now))
	return err
}

// Import reads a job started inside the scope.
func (tx *Tx) Import(ctx context.Context, scope Scope, id int64) (ImportJob, error) {
	w, args := scope.where("jurisdiction")
	j, err := scanImport(tx.queryRow(ctx, "SELECT "+importColumns+" FROM imports WHERE id = ? AND "+w, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return j, notFound("import")
	}
	return j, err
}

// Imports lists an account's jobs, newest first; after is a cursor (jobs
// with a smaller id).
func (tx *Tx) Imports(ctx context.Context, accountID, after int64, limit int) ([]ImportJob, error) {
	q, args := "SELECT "+importColumns+" FROM imports WHERE account_id = ?", []any{accountID}
	if after > 0 {
		q, args = q+" AND id < ?", append(args, after)
	}
	rows, err := tx.query(ctx, q+" ORDER BY id DESC LIMIT ?", append(args, clampLimit(limit))...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ImportJob
	for rows.Next() {
		j, err := scanImport(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, rows.Err()
}

// ImportErrors lists a job's row errors in the order of the file; after is
// a cursor (errors with a larger id).
func (tx *Tx) ImportErrors(ctx context.Context, id, after int64, limit int) ([]ImportError, error) {
	rows, err := tx.query(ctx, `SELECT id, line, heading, code, message, record FROM import_errors
		WHERE import_id = ? AND id > ? ORDER BY id LIMIT ?`, id, after, clampLimit(limit))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ImportError
	for rows.Next() {
		var e ImportError
		if err := rows.Scan(&e.ID, &e.Line, &e.Column, &e.Code, &e.Message, &e.Record); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// errInterrupted answers the progress of a job that is no longer running:
// it was declared interrupted meanwhile, and its worker must stop.
var errInterrupted = cordon.Errorf(cordon.KindConflict, "import.interrupted", "the import was interrupted")

// ImportProgress adds a chunk of rows to a running job's counts, with the
// errors of the refused ones, and marks the job as moving. It is a
// Conflict (import.interrupted) when the job is no longer running, which
// rolls back the chunk with it.
func (tx *Tx) ImportProgress(ctx context.Context, id int64, done, stored, failed int, errs []ImportError) error {
	res, err := tx.exec(ctx, `UPDATE imports SET done = done + ?, stored = stored + ?, failed = failed + ?, updated_at = ?
		WHERE id = ? AND status = ?`, done, stored, failed, ts(tx.Now), id, ImportRunning)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errInterrupted
	}
	// A hundred errors to a statement: few round trips, few parameters.
	const perInsert = 100
	for len(errs) > 0 {
		n := min(len(errs), perInsert)
		var b strings.Builder
		b.WriteString("INSERT INTO import_errors (import_id, line, heading, code, message, record) VALUES ")
		args := make([]any, 0, 6*n)
		for i, e := range errs[:n] {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(" + placeholders(6) + ")")
			args = append(args, id, e.Line, e.Column, e.Code, e.Message, e.Record)
		}
		if _, err := tx.exec(ctx, b.String(), args...); err != nil {
			return err
		}
		errs = errs[n:]
	}
	return nil
}

// FinishImport ends a running job as done or failed, with the code of what
// failed it. It is a Conflict (import.interrupted) when the job is no
// longer running.
func (tx *Tx) FinishImport(ctx context.Context, id int64, status, code string) error {
	res, err := tx.exec(ctx, "UPDATE imports SET status = ?, error = ?, updated_at = ?, finished_at = ? WHERE id = ? AND status = ?",
		status, code, ts(tx.Now), ts(tx.Now), id, ImportRunning)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errInterrupted
	}
	return nil
}

// InterruptImport fails a job that is running but has not moved since
// before stale: its server stopped under it. The rows it stored stay, and
// stay counted. It reports whether the job was such a job.
func (tx *Tx) InterruptImport(ctx context.Context, id int64, stale time.Time) (bool, error) {
	res, err := tx.exec(ctx, "UPDATE imports SET status = ?, error = ?, finished_at = ? WHERE id = ? AND status = ? AND updated_at < ?",
		ImportFailed, "import.interrupted", ts(tx.Now), id, ImportRunning, ts(stale))
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// Savepoint runs fn inside a savepoint of the transaction: when fn fails
// (or panics) what it wrote is rolled back and the transaction goes on, so
// that one bad row of an import leaves nothing behind while the rows
// around it commit. It is the savepoint of a group commit's writer.
func (tx *Tx) Savepoint(ctx context.Context, fn func() error) error {
	return tx.db.runSavepoint(tx, &batchReq{ctx: ctx, fn: func(*Tx) error { return fn() }})
}

// CaseOf is the first case of an identity, open or closed; 0 when it has
// none.
func (tx *Tx) CaseOf(ctx context.Context, who CaseIdentity) (int64, error) {
	var id int64
	err := tx.queryRow(ctx, "SELECT id FROM cases WHERE doc_index = ? ORDER BY id LIMIT 1", who.index).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

// IdentityOf is the identity of a registered person for a case, from the
// person as just read or created, without reading it again.
func (tx *Tx) IdentityOf(p cordon.Person) CaseIdentity {
	return CaseIdentity{PersonID: p.ID, Name: p.Name, index: tx.db.docIndex(p.DocType, p.IDNumber), cipher: tx.db.vault.Seal(fieldDoc, p.IDNumber)}
}
