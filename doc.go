// Package cordon holds the vocabulary of an epidemic prevention and control
// command platform: jurisdictions, persons, accounts and roles, and the pure
// rules that govern them (identity numbers, scopes, errors). It performs no
// I/O: storage lives in internal/store, every change goes through internal/app,
// and the surfaces are internal/api and internal/web.
package cordon
