package store

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
)

// Group commit. Writers that each need only a small transaction (a person
// registered, a personal-data read recorded in the audit log) hand their
// work to one goroutine that runs the work of every waiting writer in one
// transaction, each inside its own savepoint, and commits once. A writer's
// work is atomic on its own (a failure rolls back to its savepoint and
// touches nobody else's), and Batch returns only after the commit: nothing
// acknowledged is lost. Under concurrency the commit cost, which dominates
// small transactions, is shared; a lone writer pays one savepoint more.

// maxBatch bounds the work done in one shared transaction.
const maxBatch = 256

type batchReq struct {
	ctx    context.Context
	synced bool // the answer promises the data is on disk
	plain  bool // the work is one statement that fails alone: no savepoint
	fn     func(*Tx) error
	err    error
	done   chan struct{}
}

type batcher struct {
	reqs   chan *batchReq
	stop   chan struct{}
	wg     sync.WaitGroup
	mu     sync.RWMutex
	closed bool
}

func (db *DB) startBatcher() {
	db.batch = &batcher{reqs: make(chan *batchReq, 4*maxBatch), stop: make(chan struct{})}
	db.batch.wg.Add(1)
	go db.batchLoop()
}

func (db *DB) stopBatcher() {
	b := db.batch
	b.mu.Lock()
	if !b.closed {
		b.closed = true
		close(b.stop)
	}
	b.mu.Unlock()
	b.wg.Wait()
}

// errClosed answers writers that arrive after Close.
var errClosed = errors.New("store: database closed")

// Batch runs fn in a write transaction shared with other concurrent Batch
// callers, inside a savepoint of its own, and returns after the shared
// transaction has committed. fn must not keep the Tx after it returns.
func (db *DB) Batch(ctx context.Context, fn func(*Tx) error) error {
	return db.batchRun(&batchReq{ctx: ctx, fn: fn, done: make(chan struct{})})
}

// BatchAppend is Batch for work that is a single insert which fails, if
// ever, as a whole (an audit entry of a read): it runs without a savepoint
// of its own, which on a busy read path is most of the cost of the write.
func (db *DB) BatchAppend(ctx context.Context, fn func(*Tx) error) error {
	return db.batchRun(&batchReq{ctx: ctx, fn: fn, plain: true, done: make(chan struct{})})
}

// BatchSynced is Batch for the bulk ingestion paths whose answers promise
// that the data is on disk: the shared transaction that carries the work
// commits as TransactSynced does.
func (db *DB) BatchSynced(ctx context.Context, fn func(*Tx) error) error {
	return db.batchRun(&batchReq{ctx: ctx, fn: fn, synced: true, done: make(chan struct{})})
}

func (db *DB) batchRun(r *batchReq) error {
	ctx := r.ctx
	b := db.batch
	b.mu.RLock()
	if b.closed {
		b.mu.RUnlock()
		return errClosed
	}
	select {
	case b.reqs <- r:
		b.mu.RUnlock()
	case <-ctx.Done():
		b.mu.RUnlock()
		return ctx.Err()
	}
	// Once queued, the work will be done or refused by the batcher; wait
	// for its answer even if ctx ends, so that the caller never mistakes a
	// committed change for a lost one.
	<-r.done
	return r.err
}

func (db *DB) batchLoop() {
	b := db.batch
	defer b.wg.Done()
	reqs := make([]*batchReq, 0, maxBatch)
	for {
		reqs = reqs[:0]
		select {
		case r := <-b.reqs:
			reqs = append(reqs, r)
		case <-b.stop:
			// Drain what was queued before Close.
			for {
				select {
				case r := <-b.reqs:
					r.err = errClosed
					close(r.done)
				default:
					return
				}
			}
		}
		// Writers woken by the last commit are about to send their next
		// work: yield once so that it joins this commit rather than
		// paying for one of its own.
		for yielded := false; ; yielded = true {
		collect:
			for len(reqs) < maxBatch {
				select {
				case r := <-b.reqs:
					reqs = append(reqs, r)
				default:
					break collect
				}
			}
			if yielded || len(reqs) >= maxBatch {
				break
			}
			runtime.Gosched()
		}
		db.runBatch(reqs)
	}
}

func (db *DB) runBatch(reqs []*batchReq) {
	run := db.run
	for _, r := range reqs {
		if r.synced {
			run = db.TransactSynced
			break
		}
	}
	if len(reqs) == 1 {
		// Alone, the writer needs no savepoint: its failure rolls back the
		// whole transaction, which holds nothing else.
		r := reqs[0]
		if r.err = r.ctx.Err(); r.err == nil {
			r.err = run(context.Background(), func(tx *Tx) (err error) {
				defer func() {
					if p := recover(); p != nil {
						err = fmt.Errorf("store: panic in batched write: %v", p)
					}
				}()
				return r.fn(tx)
			})
		}
		close(r.done)
		return
	}
	err := run(context.Background(), func(tx *Tx) error {
		for _, r := range reqs {
			r.err = db.runSavepoint(tx, r)
		}
		return nil
	})
	for _, r := range reqs {
		if err != nil && r.err == nil {
			r.err = err
		}
		close(r.done)
	}
}

// runSavepoint runs one writer's work inside a savepoint of the shared
// transaction, rolling back to it on an error or a panic.
func (db *DB) runSavepoint(tx *Tx, r *batchReq) (err error) {
	if err := r.ctx.Err(); err != nil {
		return err
	}
	if r.plain {
		return r.fn(tx)
	}
	if err := tx.savepoint("SAVEPOINT w"); err != nil {
		return err
	}
	undone, reads := len(tx.undo), len(tx.reads)
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("store: panic in batched write: %v", p)
		}
		if err != nil {
			for i := len(tx.undo) - 1; i >= undone; i-- {
				tx.undo[i]()
			}
			tx.undo = tx.undo[:undone]
			tx.reads = tx.reads[:reads]
			if rerr := tx.savepoint("ROLLBACK TO SAVEPOINT w"); rerr != nil {
				err = errors.Join(err, rerr)
			}
		}
		if rerr := tx.savepoint("RELEASE SAVEPOINT w"); rerr != nil && err == nil {
			err = rerr
		}
	}()
	return r.fn(tx)
}

// savepoint runs a savepoint statement. SQLite keeps it prepared for the
// transaction (parsing it was a large part of a small batched write);
// PostgreSQL takes it as plain text.
func (tx *Tx) savepoint(q string) error {
	bg := context.Background()
	if tx.db.dialect.name() == "sqlite" {
		_, err := tx.exec(bg, q)
		return err
	}
	_, err := tx.tx.ExecContext(bg, q)
	return tx.db.mapErr(err)
}
