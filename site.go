package cordon

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Isolation sites (隔离点): quarantine hotels and centres with rooms, and
// the stays of the people in them. A stay is one person in one room from
// arrival to departure; a transfer ends one stay and opens another. Room
// assignment keeps a household together and never fills a room or a site
// beyond its beds.

// SiteKind is what an isolation site is.
type SiteKind string

const (
	SiteHotel  SiteKind = "hotel"  // 隔离酒店
	SiteCentre SiteKind = "centre" // 集中隔离点 (a purpose-built or requisitioned centre)
	SiteOther  SiteKind = "other"
)

// SiteKinds lists the kinds in the order forms offer them.
var SiteKinds = []SiteKind{SiteHotel, SiteCentre, SiteOther}

// SiteStaff is an account that works at a site.
type SiteStaff struct {
	AccountID   int64  `json:"account_id"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name,omitempty"`
}

// Site is an isolation site with its occupancy. Rooms are filled in only
// when one site is read.
type Site struct {
	ID           int64       `json:"id"`
	Name         string      `json:"name"`
	Kind         SiteKind    `json:"kind"`
	Jurisdiction string      `json:"jurisdiction"`
	Address      string      `json:"address,omitempty"`
	ManagerName  string      `json:"manager_name,omitempty"`
	ManagerPhone string      `json:"manager_phone,omitempty"` // masked unless the reader may see it in full
	Staff        []SiteStaff `json:"staff"`
	Open         bool        `json:"open"` // a closed site takes no arrivals
	Version      int         `json:"version"`
	Occupancy
	Rooms []Room `json:"rooms,omitempty"`
	// Departed are the latest stays that ended, on one site read.
	Departed []Stay `json:"departed,omitempty"`
}

// Occupancy counts the beds of a site, or of all the sites of an area.
// Auto-assignment puts each household in rooms of its own, so a site whose
// free beds are all in shared rooms takes nobody new without a chosen room:
// FreeRooms says how many rooms stand empty.
type Occupancy struct {
	RoomCount int `json:"room_count"`
	Beds      int `json:"beds"` // the capacity
	Occupied  int `json:"occupied"`
	Free      int `json:"free"`
	FreeRooms int `json:"free_rooms"`
}

// Add counts another site's occupancy in.
func (o *Occupancy) Add(x Occupancy) {
	o.RoomCount += x.RoomCount
	o.Beds += x.Beds
	o.Occupied += x.Occupied
	o.Free += x.Free
	o.FreeRooms += x.FreeRooms
}

// AreaOccupancy is the occupancy of the sites of one area: a county, or
// the city or region itself for sites registered at that level.
type AreaOccupancy struct {
	Jurisdiction string `json:"jurisdiction"`
	Name         string `json:"name"`
	Sites        int    `json:"sites"`
	Occupancy
}

// OccupancyReport is the occupancy overview of commanders: every site of an
// area, the totals of each county and the grand total.
type OccupancyReport struct {
	Within   string          `json:"within"`
	Sites    []Site          `json:"sites"`
	Counties []AreaOccupancy `json:"counties"`
	Total    Occupancy       `json:"total"`
}

// CountyOf is the county a jurisdiction lies in: the first six digits of
// a code at county level or below; a city or region is its own.
func CountyOf(code string) string {
	if len(code) > 6 {
		return code[:6]
	}
	return code
}

// SiteFilter selects sites.
type SiteFilter struct {
	Within string // a jurisdiction inside the reader's; "" for all of theirs
	After  int64  // cursor: sites with a smaller id
	Limit  int
}

// SiteInput registers or changes a site. Staff are usernames of accounts
// inside the registering account's jurisdiction.
type SiteInput struct {
	Name         string   `json:"name"`
	Kind         SiteKind `json:"kind"`
	Jurisdiction string   `json:"jurisdiction"`
	Address      string   `json:"address,omitempty"`
	ManagerName  string   `json:"manager_name,omitempty"`
	ManagerPhone string   `json:"manager_phone,omitempty"`
	Staff        []string `json:"staff,omitempty"`
	Open         *bool    `json:"open,omitempty"`
	Version      int      `json:"version,omitempty"`
}

// Validate normalises and checks a site.
func (in *SiteInput) Validate() error {
	var v Invalid
	v.Code = "site.invalid"
	in.Name = strings.TrimSpace(in.Name)
	in.Address = strings.TrimSpace(in.Address)
	in.ManagerName = strings.TrimSpace(in.ManagerName)
	if in.Name == "" || !freeText(in.Name, 100) {
		v.Add("name", "site.name_invalid")
	}
	if !freeText(in.Address, 200) {
		v.Add("address", "site.address_invalid")
	}
	if !freeText(in.ManagerName, 50) {
		v.Add("manager_name", "site.manager_name_invalid")
	}
	if !slices.Contains(SiteKinds, in.Kind) {
		v.Add("kind", "site.kind_invalid")
	}
	if _, ok := LevelOf(in.Jurisdiction); !ok {
		v.Add("jurisdiction", "jurisdiction.unknown")
	}
	if in.ManagerPhone != "" {
		p, ok := NormalizePhone(in.ManagerPhone)
		if !ok {
			v.Add("manager_phone", "person.phone_invalid")
		}
		in.ManagerPhone = p
	}
	var staff []string
	for _, u := range in.Staff {
		if u = strings.TrimSpace(u); u != "" && !slices.Contains(staff, u) {
			staff = append(staff, u)
		}
	}
	if len(staff) > 100 {
		v.Add("staff", "site.staff_invalid")
	}
	in.Staff = staff
	return v.Err()
}

// Room is a room of a site. Occupants are filled in when a site is read.
type Room struct {
	ID        int64  `json:"id"`
	SiteID    int64  `json:"site_id"`
	Number    string `json:"number"`
	Floor     int    `json:"floor"`
	Beds      int    `json:"beds"`
	Occupants []Stay `json:"occupants,omitempty"`
}

// Free is how many beds of the room nobody takes.
func (r Room) Free() int { return r.Beds - len(r.Occupants) }

// RoomInput adds a room.
type RoomInput struct {
	Number string `json:"number"`
	Floor  int    `json:"floor"`
	Beds   int    `json:"beds"`
}

// Limits of a room.
const (
	MaxRoomBeds = 8
	MaxFloor    = 200
)

// ValidateRooms normalises and checks rooms to add to a site; numbers must
// differ from each other (and, the store checks, from the site's rooms).
func ValidateRooms(in []RoomInput) error {
	var v Invalid
	v.Code = "room.invalid"
	if len(in) == 0 || len(in) > 1000 {
		v.Add("rooms", "room.count_invalid")
	}
	seen := map[string]bool{}
	for i := range in {
		r := &in[i]
		r.Number = strings.TrimSpace(r.Number)
		at := "rooms[" + strconv.Itoa(i) + "]."
		if r.Number == "" || utf8.RuneCountInString(r.Number) > 16 || !freeText(r.Number, 16) || strings.ContainsAny(r.Number, " ,") {
			v.Add(at+"number", "room.number_invalid")
		} else if seen[r.Number] {
			v.Add(at+"number", "room.duplicate")
		}
		seen[r.Number] = true
		if r.Floor < -5 || r.Floor > MaxFloor {
			v.Add(at+"floor", "room.floor_invalid")
		}
		if r.Beds < 1 || r.Beds > MaxRoomBeds {
			v.Add(at+"beds", "room.beds_invalid")
		}
	}
	return v.Err()
}

// DepartureReason is why a stay ended.
type DepartureReason string

const (
	DepartReleased    DepartureReason = "released"    // 解除隔离
	DepartTransferred DepartureReason = "transferred" // 转运: to another room or site
	DepartHospital    DepartureReason = "hospital"    // 转医院
	DepartOther       DepartureReason = "other"
)

// DepartureReasons lists the reasons; a transfer records its own.
var DepartureReasons = []DepartureReason{DepartReleased, DepartTransferred, DepartHospital, DepartOther}

// Stay is a person's stay in a room of a site. DepartedAt is zero while
// the person is there.
type Stay struct {
	ID              int64           `json:"id"`
	PersonID        int64           `json:"person_id"`
	Name            string          `json:"name"`
	IDNumber        string          `json:"id_number,omitempty"` // masked unless the reader may see it in full
	SiteID          int64           `json:"site_id"`
	SiteName        string          `json:"site_name,omitempty"`
	Jurisdiction    string          `json:"jurisdiction"` // the site's
	RoomID          int64           `json:"room_id"`
	RoomNumber      string          `json:"room_number"`
	Floor           int             `json:"floor"`
	Household       string          `json:"household,omitempty"`
	OrderID         int64           `json:"order_id,omitempty"` // the control order that sent them, if any
	ArrivedAt       time.Time       `json:"arrived_at"`
	DepartedAt      time.Time       `json:"departed_at,omitzero"`
	DepartureReason DepartureReason `json:"departure_reason,omitempty"`
	TransferredTo   int64           `json:"transferred_to,omitempty"` // the stay a transfer opened
	// Today is the person's latest health check of the day, on a site's
	// page; nil when they have not reported today.
	Today *HealthCheck `json:"today,omitempty"`
}

// Current reports whether the person is still there.
func (s Stay) Current() bool { return s.DepartedAt.IsZero() }

// ArrivalInput is one person arriving at a site: a registered person by id
// or by citizen ID number. The household groups people who share a room;
// a contact's household comes from contact management instead. RoomID
// chooses the room by hand; zero lets the rules choose.
type ArrivalInput struct {
	PersonID  int64  `json:"person_id,omitempty"`
	IDNumber  string `json:"id_number,omitempty"`
	Household string `json:"household,omitempty"`
	RoomID    int64  `json:"room_id,omitempty"`
	OrderID   int64  `json:"order_id,omitempty"`
}

// Arrivals are people arriving at a site together, a whole household at
// once. At is when they arrived; zero is now.
type Arrivals struct {
	People []ArrivalInput `json:"people"`
	At     time.Time      `json:"at,omitzero"`
}

// Departure ends a stay. At zero is now.
type Departure struct {
	Reason DepartureReason `json:"reason"`
	At     time.Time       `json:"at,omitzero"`
}

// TransferInput moves a person to a site (the same one for another room):
// the room by hand, or zero to let the rules choose.
type TransferInput struct {
	SiteID int64     `json:"site_id"`
	RoomID int64     `json:"room_id,omitempty"`
	At     time.Time `json:"at,omitzero"`
}

// maxHouseholdKey bounds a household key, in characters (a contact's
// household label fits).
const maxHouseholdKey = 64

// CheckHousehold normalises a household key given by a caller.
func CheckHousehold(s string) (string, error) {
	s = strings.Join(strings.Fields(s), " ")
	if !freeText(s, maxHouseholdKey) {
		return s, Errorf(KindInvalid, "stay.household_invalid", "the household is too long or holds < or >").WithField("household", "stay.household_invalid")
	}
	return s, nil
}

// Arrival is an arrival as the room rules see it.
type Arrival struct {
	PersonID  int64
	Household string // "" for a person on their own
	RoomID    int64  // chosen by hand; zero lets the rules choose
}

// Placement is the room the rules gave an arrival.
type Placement struct {
	PersonID int64
	RoomID   int64
}

// PlaceArrivals chooses rooms for arrivals at a site, given its rooms and
// the stays in it now.
//   - A person already staying there, or named twice, is refused
//     (site.already_assigned): a double room assignment.
//   - A room chosen by hand must have a free bed (site.room_full).
//   - Otherwise each household (people without one are each their own)
//     goes, largest first, to the rooms where its members stay while beds
//     last, then to the empty rooms nearest to them on the same floor; a
//     new household to the smallest empty room that holds it whole, else
//     to the fewest adjacent empty rooms on one floor that do. Households
//     never share a room that the rules choose.
//   - When that cannot be done the site is full (site.full): nothing is
//     placed.
func PlaceArrivals(rooms []Room, current []Stay, arrivals []Arrival) ([]Placement, error) {
	free := map[int64]int{}
	for _, r := range rooms {
		free[r.ID] = r.Beds
	}
	staying := map[int64]bool{}
	occupants := map[int64][]string{} // room -> households of the people in it ("" for one alone)
	for _, s := range current {
		free[s.RoomID]--
		staying[s.PersonID] = true
		occupants[s.RoomID] = append(occupants[s.RoomID], s.Household)
	}
	total := 0
	for _, n := range free {
		total += max(n, 0)
	}
	for _, a := range arrivals {
		if staying[a.PersonID] {
			return nil, AlreadyAssigned(a.PersonID)
		}
		staying[a.PersonID] = true
	}
	if len(arrivals) > total {
		return nil, siteFull()
	}
	var out []Placement
	place := func(person, room int64, household string) {
		out = append(out, Placement{PersonID: person, RoomID: room})
		free[room]--
		occupants[room] = append(occupants[room], household)
	}
	// Rooms chosen by hand first: they are what the manager decided.
	var groups [][]Arrival
	index := map[string]int{}
	for _, a := range arrivals {
		if a.RoomID != 0 {
			n, ok := free[a.RoomID]
			if !ok {
				return nil, Errorf(KindNotFound, "site.room_unknown", "room %d is not a room of this site", a.RoomID).WithField("room_id", "site.room_unknown")
			}
			if n <= 0 {
				return nil, Errorf(KindConflict, "site.room_full", "room %d has no free bed", a.RoomID).WithField("room_id", "site.room_full")
			}
			place(a.PersonID, a.RoomID, a.Household)
			continue
		}
		if i, ok := index[a.Household]; ok && a.Household != "" {
			groups[i] = append(groups[i], a)
			continue
		}
		index[a.Household] = len(groups)
		groups = append(groups, []Arrival{a})
	}
	slices.SortStableFunc(groups, func(a, b []Arrival) int { return len(b) - len(a) })

	order := slices.Clone(rooms)
	slices.SortFunc(order, compareRooms)
	empty := func(r Room) bool { return len(occupants[r.ID]) == 0 }
	for _, g := range groups {
		household := g[0].Household
		var targets []int64 // one room id per person, in order
		take := func(r Room) {
			for n := free[r.ID] - bedsTaken(targets, r.ID); n > 0 && len(targets) < len(g); n-- {
				targets = append(targets, r.ID)
			}
		}
		anchor := -1
		if household != "" {
			for i, r := range order {
				if slices.Contains(occupants[r.ID], household) {
					if anchor < 0 {
						anchor = i
					}
					take(r)
				}
			}
		}
		switch {
		case len(targets) == len(g):
		case anchor >= 0:
			// Spill into the empty rooms nearest the household's first room
			// on its floor.
			for _, i := range byDistance(order, anchor) {
				if empty(order[i]) {
					take(order[i])
				}
			}
		default:
			targets = roomsFor(order, len(g), empty, free)
		}
		if len(targets) < len(g) {
			return nil, siteFull()
		}
		for i, a := range g {
			place(a.PersonID, targets[i], household)
		}
	}
	return out, nil
}

// bedsTaken counts the beds of a room that targets took already.
func bedsTaken(ids []int64, id int64) int {
	n := 0
	for _, x := range ids {
		if x == id {
			n++
		}
	}
	return n
}

// byDistance lists the positions of the rooms on the floor of order[at],
// nearest to it first.
func byDistance(order []Room, at int) []int {
	var out []int
	for i, r := range order {
		if r.Floor == order[at].Floor {
			out = append(out, i)
		}
	}
	distance := func(i int) int { return max(i-at, at-i) }
	slices.SortStableFunc(out, func(a, b int) int { return cmp.Compare(distance(a), distance(b)) })
	return out
}

// roomsFor chooses empty rooms for a new household of n: the smallest
// room that holds it whole, else the shortest run of adjacent empty rooms
// on one floor that does. It returns one room id per person, or nil.
func roomsFor(order []Room, n int, empty func(Room) bool, free map[int64]int) []int64 {
	best := -1
	for i, r := range order {
		if empty(r) && free[r.ID] >= n && (best < 0 || free[r.ID] < free[order[best].ID]) {
			best = i
		}
	}
	if best >= 0 {
		return slices.Repeat([]int64{order[best].ID}, n)
	}
	from, to := -1, -1
	for i := range order {
		beds := 0
		for j := i; j < len(order) && order[j].Floor == order[i].Floor && empty(order[j]); j++ {
			beds += free[order[j].ID]
			if beds >= n {
				if from < 0 || j-i < to-from {
					from, to = i, j
				}
				break
			}
		}
	}
	if from < 0 {
		return nil
	}
	var out []int64
	for _, r := range order[from : to+1] {
		for k := 0; k < free[r.ID] && len(out) < n; k++ {
			out = append(out, r.ID)
		}
	}
	return out
}

// compareRooms orders rooms by floor, then by number as people read room
// numbers: 2 before 10, and 301 before 301A.
func compareRooms(a, b Room) int {
	if c := cmp.Compare(a.Floor, b.Floor); c != 0 {
		return c
	}
	return CompareRoomNumbers(a.Number, b.Number)
}

// CompareRoomNumbers orders room numbers by their leading number, then as
// text.
func CompareRoomNumbers(a, b string) int {
	na, ra := leadingNumber(a)
	nb, rb := leadingNumber(b)
	if c := cmp.Compare(na, nb); c != 0 {
		return c
	}
	return cmp.Compare(ra, rb)
}

func leadingNumber(s string) (int, string) {
	i := 0
	for i < len(s) && i < 9 && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	n, _ := strconv.Atoi(s[:i])
	return n, s[i:]
}

func siteFull() error {
	return Errorf(KindConflict, "site.full", "the site has no room for these arrivals with their households kept together")
}

// AlreadyAssigned is the refusal of a second stay for a person staying
// somewhere already: a double room assignment.
func AlreadyAssigned(person int64) error {
	e := Errorf(KindConflict, "site.already_assigned", "person %d is staying at a site already", person).WithField("person_id", "site.already_assigned")
	e.Extra = map[string]any{"person_id": person}
	return e
}
