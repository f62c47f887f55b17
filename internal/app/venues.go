package app

import (
	"context"
	"crypto/ed25519"
	"strconv"
	"sync"
	"time"

	"cordon"
	"cordon/internal/store"
)

func venueRecord(id int64) string { return "venue:" + strconv.FormatInt(id, 10) }

// venueCacheTTL bounds how long a server trusts what it cached of a venue
// (its serial, whether it is open) when another server may have changed
// it; changes made here take effect at once.
const venueCacheTTL = time.Minute

// venueCache remembers venues for the scan-in path, which checks a venue
// per scan-in at city scale, and the venue codes whose signature checked.
type venueCache struct {
	mu     sync.RWMutex
	gen    uint64 // raised by every change here: a read begun before it is not cached
	venues map[int64]cachedVenue
	codes  map[string][2]int64 // code → venue id, serial
}

type cachedVenue struct {
	store.VenueKey
	loaded time.Time
}

func (c *venueCache) forget(id int64) {
	c.mu.Lock()
	delete(c.venues, id)
	c.gen++
	c.mu.Unlock()
}

// VenueCodeKey is the public key that checks venue codes offline.
func (a *App) VenueCodeKey() ed25519.PublicKey { return a.venueKey.Public().(ed25519.PublicKey) }

// presentVenue masks the contact phone for the actor and signs the code.
func (a *App) presentVenue(actor cordon.Actor, v *cordon.Venue) {
	if !actor.Can(cordon.PermPersonReadFull) {
		v.ContactPhone = cordon.MaskPhone(v.ContactPhone)
	}
	v.Code = cordon.SignVenueCode(a.venueKey, v.ID, v.CodeSerial)
}

func (a *App) checkVenueInput(actor cordon.Actor, in *cordon.VenueInput) error {
	if err := in.Validate(); err != nil {
		return err
	}
	if !actor.Sees(in.Jurisdiction) {
		return cordon.Errorf(cordon.KindForbidden, "jurisdiction.outside_scope", "the jurisdiction is outside yours").WithField("jurisdiction", "jurisdiction.outside_scope")
	}
	return nil
}

func (a *App) venuePlaceExists(ctx context.Context, tx *store.Tx, code string) error {
	if !a.exists(ctx, tx, code) {
		return cordon.Errorf(cordon.KindInvalid, "jurisdiction.unknown", "no such jurisdiction").WithField("jurisdiction", "jurisdiction.unknown")
	}
	return nil
}

// CreateVenue registers a venue in the actor's subtree.
func (a *App) CreateVenue(ctx context.Context, actor cordon.Actor, in cordon.VenueInput) (cordon.Venue, error) {
	if err := authorize(actor, cordon.PermVenueManage); err != nil {
		return cordon.Venue{}, err
	}
	if in.Jurisdiction == "" {
		in.Jurisdiction = actor.Jurisdiction
	}
	if err := a.checkVenueInput(actor, &in); err != nil {
		return cordon.Venue{}, err
	}
	v := cordon.Venue{Name: in.Name, Category: in.Category, Jurisdiction: in.Jurisdiction, Address: in.Address,
		Lat: in.Lat, Lng: in.Lng, ContactName: in.ContactName, ContactPhone: in.ContactPhone}
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		if err := a.venuePlaceExists(ctx, tx, v.Jurisdiction); err != nil {
			return err
		}
		if err := tx.CreateVenue(ctx, &v, actor.AccountID); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "venue.create", venueRecord(v.ID), "", v.Name)
	})
	if err != nil {
		return cordon.Venue{}, err
	}
	a.presentVenue(actor, &v)
	return v, nil
}

// Venue reads a venue of the actor's subtree.
func (a *App) Venue(ctx context.Context, actor cordon.Actor, id int64) (cordon.Venue, error) {
	if err := authorize(actor, cordon.PermVenueRead); err != nil {
		return cordon.Venue{}, err
	}
	var v cordon.Venue
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		v, err = tx.Venue(ctx, store.ScopeOf(actor), id)
		return err
	})
	if err != nil {
		return v, err
	}
	a.presentVenue(actor, &v)
	return v, nil
}

// Venues lists the venues of the actor's subtree.
func (a *App) Venues(ctx context.Context, actor cordon.Actor, f cordon.VenueFilter) ([]cordon.Venue, error) {
	if err := authorize(actor, cordon.PermVenueRead); err != nil {
		return nil, err
	}
	var out []cordon.Venue
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.Venues(ctx, store.ScopeOf(actor), f)
		return err
	})
	for i := range out {
		a.presentVenue(actor, &out[i])
	}
	return out, err
}

// UpdateVenue changes a venue, guarded by the version read.
func (a *App) UpdateVenue(ctx context.Context, actor cordon.Actor, id int64, in cordon.VenueInput) (cordon.Venue, error) {
	if err := authorize(actor, cordon.PermVenueManage); err != nil {
		return cordon.Venue{}, err
	}
	if in.Version == 0 {
		return cordon.Venue{}, cordon.Errorf(cordon.KindInvalid, "venue.version_required", "send the version you read").WithField("version", "venue.version_required")
	}
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		v, err := tx.Venue(ctx, store.ScopeOf(actor), id)
		if err != nil {
			return err
		}
		// A change that leaves out the jurisdiction keeps the venue where it is.
		if in.Jurisdiction == "" {
			in.Jurisdiction = v.Jurisdiction
		}
		if err := a.checkVenueInput(actor, &in); err != nil {
			return err
		}
		if err := a.venuePlaceExists(ctx, tx, in.Jurisdiction); err != nil {
			return err
		}
		v.Name, v.Category, v.Jurisdiction, v.Address = in.Name, in.Category, in.Jurisdiction, in.Address
		v.Lat, v.Lng, v.ContactName, v.ContactPhone = in.Lat, in.Lng, in.ContactName, in.ContactPhone
		if in.Active != nil {
			v.Active = *in.Active
		}
		if err := tx.UpdateVenue(ctx, v, in.Version); err != nil {
			return err
		}
		return audit(ctx, tx, actor, "venue.update", venueRecord(id), "", v.Name)
	})
	a.venues.forget(id)
	if err != nil {
		return cordon.Venue{}, err
	}
	return a.Venue(ctx, actor, id)
}

// ReissueVenueCode gives a venue a new code and revokes the printed ones
// (a poster copied to another place, a code photographed and shared).
func (a *App) ReissueVenueCode(ctx context.Context, actor cordon.Actor, id int64, reason string) (cordon.Venue, error) {
	if err := authorize(actor, cordon.PermVenueManage); err != nil {
		return cordon.Venue{}, err
	}
	err := a.db.Transact(ctx, func(tx *store.Tx) error {
		if _, err := tx.Venue(ctx, store.ScopeOf(actor), id); err != nil {
			return err
		}
		serial, err := tx.ReissueVenueCode(ctx, id)
		if err != nil {
			return err
		}
		return audit(ctx, tx, actor, "venue.reissue_code", venueRecord(id), reason, strconv.Itoa(serial))
	})
	a.venues.forget(id)
	if err != nil {
		return cordon.Venue{}, err
	}
	return a.Venue(ctx, actor, id)
}

// venueKeys returns what the scan-in path checks of venues, from the cache
// where fresh.
func (a *App) venueKeys(ctx context.Context, ids []int64) (map[int64]store.VenueKey, error) {
	now := a.now()
	out := make(map[int64]store.VenueKey, len(ids))
	var missing []int64
	a.venues.mu.RLock()
	gen := a.venues.gen
	for _, id := range ids {
		if _, done := out[id]; done {
			continue
		}
		if c, ok := a.venues.venues[id]; ok && now.Sub(c.loaded) < venueCacheTTL {
			out[id] = c.VenueKey
		} else {
			missing = append(missing, id)
		}
	}
	a.venues.mu.RUnlock()
	if len(missing) == 0 {
		return out, nil
	}
	var loaded map[int64]store.VenueKey
	err := a.db.Read(ctx, func(tx *store.Tx) error {
		var err error
		loaded, err = tx.VenueKeys(ctx, missing)
		return err
	})
	if err != nil {
		return nil, err
	}
	a.venues.mu.Lock()
	if a.venues.venues == nil {
		a.venues.venues = map[int64]cachedVenue{}
	}
	for id, k := range loaded {
		// A venue changed here since the read began may have been read
		// as it was: answer with it, but do not keep it.
		if a.venues.gen == gen {
			a.venues.venues[id] = cachedVenue{k, now}
		}
		out[id] = k
	}
	a.venues.mu.Unlock()
	return out, nil
}

// openVenueCode checks a venue code's signature, remembering codes that
// checked (a venue's code is scanned thousands of times a day; the
// signature check is the costly part).
func (a *App) openVenueCode(code string) (int64, int, error) {
	a.venues.mu.RLock()
	c, ok := a.venues.codes[code]
	a.venues.mu.RUnlock()
	if ok {
		return c[0], int(c[1]), nil
	}
	id, serial, err := cordon.OpenVenueCode(a.VenueCodeKey(), code)
	if err != nil {
		return 0, 0, err
	}
	a.venues.mu.Lock()
	if a.venues.codes == nil || len(a.venues.codes) > 1_000_000 {
		a.venues.codes = map[string][2]int64{}
	}
	a.venues.codes[code] = [2]int64{id, int64(serial)}
	a.venues.mu.Unlock()
	return id, serial, nil
}
