package cordon_test

import (
	"slices"
	"testing"

	"cordon"
)

// hotel is a small quarantine hotel: floor 2 has single rooms 201–204 and
// a double 205, floor 3 two triples 301 and 302.
func hotel() []cordon.Room {
	var rooms []cordon.Room
	add := func(id int64, number string, floor, beds int) {
		rooms = append(rooms, cordon.Room{ID: id, Number: number, Floor: floor, Beds: beds})
	}
	add(1, "201", 2, 1)
	add(2, "202", 2, 1)
	add(3, "203", 2, 1)
	add(4, "204", 2, 1)
	add(5, "205", 2, 2)
	add(6, "301", 3, 3)
	add(7, "302", 3, 3)
	return rooms
}

func roomsOf(t *testing.T, ps []cordon.Placement) map[int64]int64 {
	t.Helper()
	out := map[int64]int64{}
	for _, p := range ps {
		out[p.PersonID] = p.RoomID
	}
	return out
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if cordon.ErrorCode(err) != code {
		t.Fatalf("got %v, want %s", err, code)
	}
}

func TestPlaceArrivalsKeepsHouseholdsTogether(t *testing.T) {
	rooms := hotel()
	// A household of three fits a triple whole; a couple the double; a
	// person alone the first single.
	ps, err := cordon.PlaceArrivals(rooms, nil, []cordon.Arrival{
		{PersonID: 10}, {PersonID: 11, Household: "陇意屯12号"}, {PersonID: 12, Household: "陇意屯12号"},
		{PersonID: 20, Household: "云山路1号"}, {PersonID: 13, Household: "陇意屯12号"}, {PersonID: 21, Household: "云山路1号"},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := roomsOf(t, ps)
	if got[11] != 6 || got[12] != 6 || got[13] != 6 {
		t.Errorf("the household of three is split: %v", got)
	}
	if got[20] != 5 || got[21] != 5 {
		t.Errorf("the couple is not in the double: %v", got)
	}
	if got[10] != 1 {
		t.Errorf("the person alone is in room %d, want 201", got[10])
	}

	// A member arriving later joins the household's room while it has a
	// bed; the next one goes to the nearest empty room on the same floor.
	current := []cordon.Stay{{PersonID: 11, RoomID: 6, Household: "h"}, {PersonID: 12, RoomID: 6, Household: "h"}}
	ps, err = cordon.PlaceArrivals(rooms, current, []cordon.Arrival{{PersonID: 14, Household: "h"}, {PersonID: 15, Household: "h"}})
	if err != nil {
		t.Fatal(err)
	}
	got = roomsOf(t, ps)
	if got[14] != 6 && got[15] != 6 || got[14] == got[15] {
		t.Errorf("the later members: %v", got)
	}
	if got[14] != 7 && got[15] != 7 {
		t.Errorf("the overflow is not in the adjacent 302: %v", got)
	}

	// Four people of one household and no room for four: adjacent empty
	// singles on one floor, never across floors.
	ps, err = cordon.PlaceArrivals(rooms[:4], nil, []cordon.Arrival{
		{PersonID: 1, Household: "x"}, {PersonID: 2, Household: "x"}, {PersonID: 3, Household: "x"}, {PersonID: 4, Household: "x"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 4 {
		t.Fatalf("placed %v", ps)
	}

	// A household is never put in with strangers: with only a shared
	// room's free bed left, the site is full for it.
	current = []cordon.Stay{{PersonID: 1, RoomID: 5}}
	for _, r := range []int64{1, 2, 3, 4, 6, 7} {
		current = append(current, cordon.Stay{PersonID: 100 + r, RoomID: r})
	}
	_, err = cordon.PlaceArrivals(rooms, current, []cordon.Arrival{{PersonID: 50}})
	wantCode(t, err, "site.full")
	// By hand, the manager may put them there.
	ps, err = cordon.PlaceArrivals(rooms, current, []cordon.Arrival{{PersonID: 50, RoomID: 5}})
	if err != nil || len(ps) != 1 || ps[0].RoomID != 5 {
		t.Errorf("a chosen shared room: %v %v", ps, err)
	}
}

func TestPlaceArrivalsNeverOverfills(t *testing.T) {
	rooms := hotel() // 12 beds
	// Twelve people fill it exactly: four alone, a couple and two
	// households of three.
	var many []cordon.Arrival
	for i, h := range []string{"", "", "", "", "a", "a", "b", "b", "b", "c", "c", "c"} {
		many = append(many, cordon.Arrival{PersonID: int64(i + 1), Household: h})
	}
	_, err := cordon.PlaceArrivals(rooms, nil, append(many, cordon.Arrival{PersonID: 13}))
	wantCode(t, err, "site.full")

	// A household of four where no room or adjacent run of empty rooms
	// on one floor holds four.
	current := []cordon.Stay{{PersonID: 90, RoomID: 3}, {PersonID: 91, RoomID: 6}, {PersonID: 92, RoomID: 7}}
	_, err = cordon.PlaceArrivals(rooms, current, []cordon.Arrival{
		{PersonID: 1, Household: "x"}, {PersonID: 2, Household: "x"}, {PersonID: 3, Household: "x"}, {PersonID: 4, Household: "x"}})
	wantCode(t, err, "site.full")

	// A full room chosen by hand.
	_, err = cordon.PlaceArrivals(rooms, current, []cordon.Arrival{{PersonID: 1, RoomID: 3}})
	wantCode(t, err, "site.room_full")
	// Two people chosen into the last bed of a room: the second overfills.
	_, err = cordon.PlaceArrivals(rooms, nil, []cordon.Arrival{{PersonID: 1, RoomID: 1}, {PersonID: 2, RoomID: 1}})
	wantCode(t, err, "site.room_full")
	_, err = cordon.PlaceArrivals(rooms, nil, []cordon.Arrival{{PersonID: 1, RoomID: 99}})
	wantCode(t, err, "site.room_unknown")

	// Every placement of a full site stays within the beds of each room.
	ps, err := cordon.PlaceArrivals(rooms, nil, many)
	if err != nil {
		t.Fatal(err)
	}
	used := map[int64]int{}
	for _, p := range ps {
		used[p.RoomID]++
	}
	for _, r := range rooms {
		if used[r.ID] > r.Beds {
			t.Errorf("room %s holds %d in %d beds", r.Number, used[r.ID], r.Beds)
		}
	}
}

func TestPlaceArrivalsRefusesDoubleAssignment(t *testing.T) {
	rooms := hotel()
	_, err := cordon.PlaceArrivals(rooms, []cordon.Stay{{PersonID: 7, RoomID: 1}}, []cordon.Arrival{{PersonID: 7}})
	wantCode(t, err, "site.already_assigned")
	_, err = cordon.PlaceArrivals(rooms, nil, []cordon.Arrival{{PersonID: 8}, {PersonID: 8, Household: "h"}})
	wantCode(t, err, "site.already_assigned")
}

func TestRoomOrder(t *testing.T) {
	numbers := []string{"301A", "1001", "99", "301", "A1"}
	slices.SortFunc(numbers, cordon.CompareRoomNumbers)
	if want := []string{"A1", "99", "301", "301A", "1001"}; !slices.Equal(numbers, want) {
		t.Errorf("room order %v, want %v", numbers, want)
	}
}

func TestSiteAndRoomValidation(t *testing.T) {
	in := cordon.SiteInput{Name: " 维也纳国际酒店 ", Kind: cordon.SiteHotel, Jurisdiction: "451024", ManagerPhone: "139 7700 1234", Staff: []string{"a", " a ", ""}}
	if err := in.Validate(); err != nil || in.Name != "维也纳国际酒店" || in.ManagerPhone != "13977001234" || !slices.Equal(in.Staff, []string{"a"}) {
		t.Errorf("a good site: %v %+v", err, in)
	}
	bad := cordon.SiteInput{Name: "<b>", Kind: "tent", Jurisdiction: "99", ManagerPhone: "123"}
	e, _ := bad.Validate().(*cordon.Error)
	if e == nil || e.Fields["name"] != "site.name_invalid" || e.Fields["kind"] != "site.kind_invalid" ||
		e.Fields["jurisdiction"] != "jurisdiction.unknown" || e.Fields["manager_phone"] != "person.phone_invalid" {
		t.Errorf("a bad site: %+v", e)
	}
	rooms := []cordon.RoomInput{{Number: "301", Floor: 3, Beds: 2}, {Number: "301", Floor: 3, Beds: 1}, {Number: "302", Floor: 3, Beds: 0}}
	e, _ = cordon.ValidateRooms(rooms).(*cordon.Error)
	if e == nil || e.Fields["rooms[1].number"] != "room.duplicate" || e.Fields["rooms[2].beds"] != "room.beds_invalid" || len(e.Fields) != 2 {
		t.Errorf("bad rooms: %+v", e)
	}
}
