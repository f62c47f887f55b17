package app

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"cordon"
	"cordon/internal/linelist"
	"cordon/internal/store"
)

// Imports of line lists. A person uploads a file (CSV or XLSX) of one kind
// (cases, contacts); the file is read whole at once, so that a file
// that cannot be read is refused before anything starts, and its rows are
// then stored by a job that answers every row: stored, or refused with
// errors that name the line, the column and a stable code. Each row is its
// own unit: a refused row leaves nothing behind. Rows are committed in
// chunks of ImportChunk, each chunk with the job's counts and the errors of
// its rows, so that the progress a page shows and the outcome of a job
// interrupted by a restart are both exactly what is stored.
//
// A kind of line list plugs in with an ImportKind: its columns (for
// linelist.Read), the permissions an importer needs, and a RowHandler that
// turns one row into one write. The framework does the rest: reading the
// file, the job and its progress, chunked transactions with a savepoint a
// row, errors mapped to the file's headings, and the audit of the job and
// of each chunk. See caseImport in import_cases.go for a whole kind.

// ImportJob is an import of a file: its progress and its outcome.
type ImportJob = store.ImportJob

// ImportError is why a row of an import was refused.
type ImportError = store.ImportError

// The states of an import.
const (
	ImportRunning = store.ImportRunning
	ImportDone    = store.ImportDone
	ImportFailed  = store.ImportFailed
)

// ImportKind is one kind of line list that can be imported. The pages
// name a kind with the translations import.title.<Name>, import.help.<Name>,
// import.columns.<Name>, import.kind.<Name> and import.back.<Name>, and lead
// back from a job to /<Name>.
type ImportKind struct {
	// Name is the kind in the API (?kind=) and on the job: "cases".
	Name string
	// Action is the audit action of each chunk of rows stored, which lists
	// the records the chunk wrote: "case.import".
	Action string
	// Permissions are what the importer's role must grant, all of them.
	Permissions []cordon.Permission
	// Columns are the columns the file is read with. A validation error
	// of a row whose field is a column's Key is shown under that column.
	Columns []linelist.Column
	// Start begins the rows of one job for the actor. The handler lives as
	// long as the job and sees its rows in order, one at a time, so it may
	// keep caches (names of places, say) without locks.
	Start func(a *App, actor cordon.Actor) RowHandler
	// Chunk, when set, replaces ImportChunk for the kind: rows whose
	// writes dirty many index pages share a commit better in bigger
	// chunks.
	Chunk int
}

// RowHandler turns the rows of one job into writes.
type RowHandler interface {
	// Check reads and validates one row, outside any transaction (it may
	// read the database), and returns the write that stores it. A row
	// that cannot be stored is an error: a *cordon.Error whose Fields
	// name the columns at fault by their keys (each field becomes one
	// row error under the file's heading) or, without Fields, one error
	// for the row. Extra["record"] (a string such as "case:12") names
	// what the row collided with. An error of kind Internal stops the job.
	Check(ctx context.Context, row linelist.Row) (RowWrite, error)
}

// RowWrite stores one checked row in the chunk's transaction, inside a
// savepoint of its own: when it fails, what it wrote is undone, the row is
// refused with the error (as for Check) and the chunk goes on. It returns
// the records it wrote ("person:5", "case:12") for the chunk's audit entry.
// It must not commit, nor keep tx.
type RowWrite func(ctx context.Context, tx *store.Tx) (records []string, err error)

// importKinds are the kinds of line list that can be imported. A new kind
// is an ImportKind in a file of its own, and one more entry here.
func importKinds() []ImportKind {
	return []ImportKind{caseImport(), contactImport(), arrivalImport()}
}

func importKind(name string) (ImportKind, bool) {
	for _, k := range importKinds() {
		if k.Name == name {
			return k, true
		}
	}
	return ImportKind{}, false
}

// Limits and timing of imports.
const (
	// ImportChunk is how many rows one transaction stores. A file of at
	// most this many rows is imported before StartImport returns.
	ImportChunk = 500
	// MaxImportRows bounds a file, as MaxLineList bounds an export.
	MaxImportRows = 100_000
	// ImportStale is how long a running job may go without progress
	// before it counts as interrupted: its server stopped under it. A
	// chunk takes well under a second.
	ImportStale = 2 * time.Minute
)

// ImportFile is a file to import.
type ImportFile struct {
	Name   string // as the importer named it, shown on the job
	Format string // linelist.CSV or linelist.XLSX; anything else is refused
	Data   []byte
}

func importRecord(id int64) string { return "import:" + strconv.FormatInt(id, 10) }

// StartImport reads a file of a kind and imports its rows. A file that
// cannot be read at all is refused at once with the reason; otherwise the
// job is recorded and audited, and its rows are stored by a job that runs
// on after StartImport returns (for a file of up to ImportChunk rows, before
// it returns). Read the progress with Import.
func (a *App) StartImport(ctx context.Context, actor cordon.Actor, kindName string, file ImportFile) (ImportJob, error) {
	kind, err := mayImport(actor, kindName)
	if err != nil {
		return ImportJob{}, err
	}
	if file.Format != linelist.CSV && file.Format != linelist.XLSX {
		return ImportJob{}, cordon.Errorf(cordon.KindUnsupported, "import.format", "a line list is imported from CSV or XLSX")
	}
	table, err := linelist.Read(file.Format, file.Data, kind.Columns)
	if err != nil {
		return ImportJob{}, err
	}
	if len(table.Rows) > MaxImportRows {
		return ImportJob{}, cordon.Errorf(cordon.KindInvalid, "import.too_many_rows", "import at most %d rows at a time", MaxImportRows)
	}
	job := ImportJob{Kind: kind.Name, Jurisdiction: actor.Jurisdiction, AccountID: actor.AccountID, Username: actor.Username,
		FileName: importFileName(file.Name, file.Format), Format: file.Format, Total: len(table.Rows)}
	err = a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.CreateImport(ctx, &job); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "import.start", importRecord(job.ID), "", fmt.Sprintf("%s from %s: %d rows", kind.Name, job.FileName, job.Total))
	})
	if err != nil {
		return ImportJob{}, err
	}
	// The job outlives the request: the request's values (its id for the
	// logs) but not its end.
	run := func() { a.runImport(context.WithoutCancel(ctx), actor, kind, job, table.Rows) }
	if len(table.Rows) > ImportChunk {
		go run()
		return job, nil
	}
	run()
	err = a.db.Read(ctx, func(tx *store.Tx) error {
		job, err = tx.Import(ctx, store.Everywhere, job.ID)
		return err
	})
	return job, err
}

// MayImport says whether the actor may import line lists of a kind, for
// the pages that offer the upload.
func (a *App) MayImport(actor cordon.Actor, kind string) error {
	_, err := mayImport(actor, kind)
	return err
}

func mayImport(actor cordon.Actor, name string) (ImportKind, error) {
	kind, ok := importKind(name)
	if !ok {
		return kind, cordon.Errorf(cordon.KindInvalid, "import.kind_unknown", "there is no import of %q", name).WithField("kind", "import.kind_unknown")
	}
	for _, p := range kind.Permissions {
		if err := authorize(actor, p); err != nil {
			return kind, err
		}
	}
	return kind, nil
}

// importFileName keeps the base name of an upload, printable and at most
// 100 characters; "upload.csv" when it has none.
func importFileName(name, format string) string {
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return -1
		}
		return r
	}, path.Base(strings.ReplaceAll(name, `\`, "/")))
	name = strings.TrimSpace(name)
	if name == "" || name == "." || name == "/" {
		return "upload." + format
	}
	if r := []rune(name); len(r) > 100 {
		name = string(r[:100])
	}
	return name
}

// runImport stores the rows of a job, chunk by chunk, and finishes it:
// done, or failed on a fault of ours with the chunks before it kept.
func (a *App) runImport(ctx context.Context, actor cordon.Actor, kind ImportKind, job ImportJob, rows []linelist.Row) {
	var err error
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("app: panic in import %d: %v", job.ID, p)
		}
		a.finishImport(ctx, actor, job.ID, err)
	}()
	h := kind.Start(a, actor)
	chunk := cmp.Or(kind.Chunk, ImportChunk)
	for len(rows) > 0 && err == nil {
		n := min(len(rows), chunk)
		err = a.importChunk(ctx, actor, kind, job.ID, h, rows[:n])
		rows = rows[n:]
	}
}

// importChunk checks a chunk of rows, then stores the good ones in one
// transaction, each in a savepoint, with the chunk's progress and errors.
func (a *App) importChunk(ctx context.Context, actor cordon.Actor, kind ImportKind, id int64, h RowHandler, rows []linelist.Row) error {
	type checked struct {
		row   linelist.Row
		write RowWrite
	}
	var (
		todo    = make([]checked, 0, len(rows))
		refused []ImportError
		failed  int
	)
	for _, r := range rows {
		err := r.Err
		var w RowWrite
		if err == nil {
			w, err = h.Check(ctx, r)
		}
		if err != nil {
			if cordon.ErrorKind(err) == cordon.KindInternal {
				return err
			}
			refused, failed = append(refused, rowErrors(r, err)...), failed+1
			continue
		}
		todo = append(todo, checked{r, w})
	}
	return a.db.Transact(ctx, func(tx *store.Tx) error {
		errs, failed := slices.Clone(refused), failed
		var records []string
		for _, c := range todo {
			var recs []string
			err := tx.Savepoint(ctx, func() error {
				var err error
				recs, err = c.write(ctx, tx)
				return err
			})
			switch {
			case err == nil:
				records = append(records, recs...)
			case cordon.ErrorKind(err) == cordon.KindInternal:
				return err
			default:
				errs, failed = append(errs, rowErrors(c.row, err)...), failed+1
			}
		}
		slices.SortStableFunc(errs, func(x, y ImportError) int { return x.Line - y.Line })
		if err := tx.ImportProgress(ctx, id, len(rows), len(rows)-failed, failed, errs); err != nil {
			return err
		}
		if len(records) == 0 {
			return nil
		}
		return audit(ctx, tx, actor, kind.Action, importRecord(id), "",
			fmt.Sprintf("lines %d-%d: %s", rows[0].Line, rows[len(rows)-1].Line, strings.Join(records, " ")))
	})
}

// rowErrors turns the error of a row into its row errors: one per field at
// fault, under the file's heading, or one for the row.
func rowErrors(r linelist.Row, err error) []ImportError {
	e := asCordonError(err)
	if e == nil {
		return []ImportError{{Line: r.Line, Code: cordon.ErrorCode(err), Message: err.Error()}}
	}
	record, _ := e.Extra["record"].(string)
	if len(e.Fields) == 0 {
		return []ImportError{{Line: r.Line, Code: e.Code, Message: e.Message, Record: record}}
	}
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]ImportError, 0, len(keys))
	for _, k := range keys {
		msg := e.Message
		if len(keys) > 1 {
			msg = "see the code"
		}
		out = append(out, ImportError{Line: r.Line, Column: r.Heading(k), Code: e.Fields[k], Message: msg, Record: record})
	}
	return out
}

// finishImport ends a job and audits its outcome with its counts. A job
// that was declared interrupted meanwhile stays as it is.
func (a *App) finishImport(ctx context.Context, actor cordon.Actor, id int64, failure error) {
	status, code := store.ImportDone, ""
	switch {
	case cordon.ErrorCode(failure) == "import.interrupted":
		// Declared interrupted while it was still working: it stays so.
		a.log.Warn("import interrupted", "import", id)
		return
	case failure != nil:
		status, code = store.ImportFailed, "internal"
		a.log.Error("import failed", "import", id, "err", failure)
	}
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := tx.FinishImport(ctx, id, status, code); err != nil {
			return err
		}
		j, err := tx.Import(ctx, store.Everywhere, id)
		if err != nil {
			return err
		}
		return audit(ctx, tx, actor, "import.finish", importRecord(id), "", importOutcome(j))
	})
	if err != nil && cordon.ErrorCode(err) != "import.interrupted" {
		a.log.Error("import not finished", "import", id, "err", err)
	}
}

// importOutcome is the audit detail of a job's end.
func importOutcome(j ImportJob) string {
	s := fmt.Sprintf("%s: %d of %d rows, %d stored, %d refused", j.Status, j.Done, j.Total, j.Stored, j.Failed)
	if j.Error != "" {
		s += " (" + j.Error + ")"
	}
	return s
}

// Import reads a job with a page of its row errors (after is a cursor:
// errors after the error with that id). The job is its importer's; others
// see it when their role grants its kind's permissions and the job was
// started inside their jurisdiction. A job that was running on a server
// that stopped is failed here, with what it stored counted.
func (a *App) Import(ctx context.Context, actor cordon.Actor, id, after int64, limit int) (ImportJob, []ImportError, error) {
	if actor.AccountID == 0 {
		return ImportJob{}, nil, cordon.ErrUnauthorized
	}
	var j ImportJob
	var errs []ImportError
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		if j, err = tx.Import(ctx, store.ScopeOf(actor), id); err != nil {
			return err
		}
		if !a.mayRead(actor, j) {
			return cordon.Errorf(cordon.KindNotFound, "import.not_found", "import not found")
		}
		errs, err = tx.ImportErrors(ctx, id, after, limit)
		return err
	})
	if err != nil {
		return ImportJob{}, nil, err
	}
	j, err = a.checkAlive(ctx, j)
	return j, errs, err
}

// mayRead: the importer, or a colleague who could have imported it.
func (a *App) mayRead(actor cordon.Actor, j ImportJob) bool {
	if j.AccountID == actor.AccountID {
		return true
	}
	kind, ok := importKind(j.Kind)
	if !ok {
		return false
	}
	for _, p := range kind.Permissions {
		if !actor.Can(p) {
			return false
		}
	}
	return true
}

// Imports lists the actor's own jobs, newest first.
func (a *App) Imports(ctx context.Context, actor cordon.Actor, after int64, limit int) ([]ImportJob, error) {
	if actor.AccountID == 0 {
		return nil, cordon.ErrUnauthorized
	}
	var out []ImportJob
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.Imports(ctx, actor.AccountID, after, limit)
		return err
	})
	for i := range out {
		if err == nil {
			out[i], err = a.checkAlive(ctx, out[i])
		}
	}
	return out, err
}

// checkAlive fails a running job that has not moved for ImportStale: the
// server running it stopped. Its importer is audited as having ended it.
func (a *App) checkAlive(ctx context.Context, j ImportJob) (ImportJob, error) {
	if j.Status != store.ImportRunning || a.now().Sub(j.UpdatedAt) < ImportStale {
		return j, nil
	}
	owner := cordon.Actor{AccountID: j.AccountID, Username: j.Username, Jurisdiction: j.Jurisdiction}
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		stopped, err := tx.InterruptImport(ctx, j.ID, a.now().Add(-ImportStale))
		if err != nil {
			return err
		}
		if j, err = tx.Import(ctx, store.Everywhere, j.ID); err != nil || !stopped {
			return err
		}
		return audit(ctx, tx, owner, "import.finish", importRecord(j.ID), "", importOutcome(j))
	})
	return j, err
}

// asCordonError is err as a domain error, or nil for a foreign one.
func asCordonError(err error) *cordon.Error {
	var e *cordon.Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// placeNames finds jurisdictions by what a line list writes for them: a
// code, or a name. A name may be the full path the exports write
// (广西壮族自治区百色市德保县), any tail of it (百色市德保县, 德保县), or
// the same for a grid (…福记村陇意屯网格); it must name one place inside the
// importer's jurisdiction. The names are indexed on first use, once a job.
type placeNames struct {
	a     *App
	actor cordon.Actor
	index map[string]string // name -> code; "" for a name of several places
}

// code is the jurisdiction a cell names; "" for an empty cell. The error's
// code says why a cell names none.
func (n *placeNames) code(ctx context.Context, s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", nil
	}
	if _, ok := cordon.LevelOf(s); ok {
		var known bool
		err := n.a.db.Read(ctx, func(tx *store.Tx) error {
			known = n.a.exists(ctx, tx, s)
			return nil
		})
		if err != nil || !known {
			return "", unknownJurisdiction(s)
		}
		return s, nil
	}
	if err := n.load(ctx); err != nil {
		return "", err
	}
	code, ok := n.index[s]
	switch {
	case !ok:
		return "", cordon.Errorf(cordon.KindInvalid, "import.place_unknown", "no place inside your jurisdiction has this name")
	case code == "":
		return "", cordon.Errorf(cordon.KindInvalid, "import.place_ambiguous", "several places have this name: write the county or township before it")
	}
	return code, nil
}

// prefixOf is the place that the longest known beginning of an address
// names ("百色市德保县城关镇云山路1号" -> 城关镇), or "".
func (n *placeNames) prefixOf(ctx context.Context, address string) string {
	r := []rune(strings.TrimSpace(address))
	if len(r) == 0 || n.load(ctx) != nil {
		return ""
	}
	for k := len(r); k > 0; k-- {
		if code := n.index[string(r[:k])]; code != "" {
			return code
		}
	}
	return ""
}

// load indexes every place inside the actor's jurisdiction under its path
// and under each tail of the path.
func (n *placeNames) load(ctx context.Context) error {
	if n.index != nil {
		return nil
	}
	index := map[string]string{}
	add := func(code, path string, above []cordon.Jurisdiction, name string) {
		keys := []string{path, name}
		for _, up := range above {
			if p := n.a.dir.Path(up.Code); strings.HasPrefix(path, p) && len(path) > len(p) {
				keys = append(keys, path[len(p):])
			}
		}
		for _, k := range keys {
			if was, ok := index[k]; ok && was != code {
				index[k] = ""
			} else if !ok {
				index[k] = code
			}
		}
	}
	var walk func(j cordon.Jurisdiction)
	walk = func(j cordon.Jurisdiction) {
		add(j.Code, n.a.dir.Path(j.Code), n.a.dir.Ancestors(j.Code), j.Name)
		for _, c := range n.a.dir.Children(j.Code) {
			walk(c)
		}
	}
	if top, ok := n.a.dir.Lookup(n.actor.Jurisdiction); ok {
		walk(top)
	} else {
		for _, c := range n.a.dir.Children("") {
			walk(c)
		}
	}
	err := n.a.db.Read(ctx, func(tx *store.Tx) error {
		grids, err := tx.Grids(ctx, store.ScopeOf(n.actor))
		for _, g := range grids {
			village := n.a.dir.Path(g.Parent)
			add(g.Code, village+g.Name, append(n.a.dir.Ancestors(g.Parent), cordon.Jurisdiction{Code: g.Parent}), g.Name)
		}
		return err
	})
	if err != nil {
		return err
	}
	n.index = index
	return nil
}
