package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"cordon"
)

const venueColumns = "id, name, category, jurisdiction, address, lat, lng, contact_name, contact_cipher, code_serial, active, version"

func (tx *Tx) scanVenue(sc interface{ Scan(...any) error }) (cordon.Venue, error) {
	var v cordon.Venue
	var lat, lng sql.NullFloat64
	var phone []byte
	err := sc.Scan(&v.ID, &v.Name, &v.Category, &v.Jurisdiction, &v.Address, &lat, &lng, &v.ContactName, &phone, &v.CodeSerial, &v.Active, &v.Version)
	if err != nil {
		return v, err
	}
	if lat.Valid && lng.Valid {
		v.Lat, v.Lng = &lat.Float64, &lng.Float64
	}
	if len(phone) > 0 {
		v.ContactPhone, err = tx.db.vault.Open(fieldPhone, phone)
	}
	return v, err
}

func (tx *Tx) sealPhone(p string) any {
	if p == "" {
		return nil
	}
	return tx.db.vault.Seal(fieldPhone, p)
}

// CreateVenue stores a venue and sets its id.
func (tx *Tx) CreateVenue(ctx context.Context, v *cordon.Venue, by int64) error {
	id, err := tx.insert(ctx, `INSERT INTO venues (name, category, jurisdiction, address, lat, lng, contact_name, contact_cipher,
		code_serial, active, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)`,
		v.Name, v.Category, v.Jurisdiction, v.Address, v.Lat, v.Lng, v.ContactName, tx.sealPhone(v.ContactPhone), true, by, ts(tx.Now), ts(tx.Now))
	if err != nil {
		return err
	}
	v.ID, v.CodeSerial, v.Active, v.Version = id, 1, true, 1
	return nil
}

// Venue reads a venue inside the scope.
func (tx *Tx) Venue(ctx context.Context, scope Scope, id int64) (cordon.Venue, error) {
	w, args := scope.where("jurisdiction")
	v, err := tx.scanVenue(tx.queryRow(ctx, "SELECT "+venueColumns+" FROM venues WHERE id = ? AND "+w, append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		err = notFound("venue")
	}
	return v, err
}

// Venues lists the venues inside the scope, newest first.
func (tx *Tx) Venues(ctx context.Context, scope Scope, f cordon.VenueFilter) ([]cordon.Venue, error) {
	w, args := scope.where("jurisdiction")
	q := "SELECT " + venueColumns + " FROM venues WHERE " + w
	if f.Query != "" {
		q += " AND (name LIKE ? ESCAPE '\\' OR address LIKE ? ESCAPE '\\')"
		like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(f.Query) + "%"
		args = append(args, like, like)
	}
	if f.Category != "" {
		q += " AND category = ?"
		args = append(args, f.Category)
	}
	if f.After > 0 {
		q += " AND id < ?"
		args = append(args, f.After)
	}
	q += " ORDER BY id DESC LIMIT ?"
	args = append(args, clampLimit(f.Limit))
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []cordon.Venue
	for rows.Next() {
		v, err := tx.scanVenue(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// UpdateVenue replaces a venue's fields if its version is still version.
func (tx *Tx) UpdateVenue(ctx context.Context, v cordon.Venue, version int) error {
	res, err := tx.exec(ctx, `UPDATE venues SET name = ?, category = ?, jurisdiction = ?, address = ?, lat = ?, lng = ?,
		contact_name = ?, contact_cipher = ?, active = ?, updated_at = ?, version = version + 1 WHERE id = ? AND version = ?`,
		v.Name, v.Category, v.Jurisdiction, v.Address, v.Lat, v.Lng, v.ContactName, tx.sealPhone(v.ContactPhone), v.Active, ts(tx.Now), v.ID, version)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return cordon.Errorf(cordon.KindConflict, "venue.changed", "the venue was changed by someone else; reload it")
	}
	return nil
}

// ReissueVenueCode raises a venue's code serial, revoking its printed codes.
func (tx *Tx) ReissueVenueCode(ctx context.Context, id int64) (int, error) {
	var serial int
	err := tx.queryRow(ctx, "UPDATE venues SET code_serial = code_serial + 1, updated_at = ?, version = version + 1 WHERE id = ? RETURNING code_serial", ts(tx.Now), id).Scan(&serial)
	if errors.Is(err, sql.ErrNoRows) {
		err = notFound("venue")
	}
	return serial, err
}

// VenueKey is what checking a scan-in needs of a venue.
type VenueKey struct {
	Jurisdiction string
	Serial       int
	Active       bool
	Name         string
}

// VenueKeys reads the venues of ids (unknown ones are absent).
func (tx *Tx) VenueKeys(ctx context.Context, ids []int64) (map[int64]VenueKey, error) {
	out := make(map[int64]VenueKey, len(ids))
	err := tx.eachIn(ctx, "SELECT id, jurisdiction, code_serial, active, name FROM venues WHERE id IN (%s)", ids, func(rows *sql.Rows) error {
		var id int64
		var k VenueKey
		err := rows.Scan(&id, &k.Jurisdiction, &k.Serial, &k.Active, &k.Name)
		out[id] = k
		return err
	})
	return out, err
}
