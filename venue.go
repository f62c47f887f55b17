package cordon

import (
	"crypto/ed25519"
	"encoding/base64"
	"encoding/binary"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// VenueCategory is the kind of place a venue is. The key places of the
// rules come first: farmers' markets, malls and supermarkets, stations and
// other transport hubs, cinemas and other entertainment.
type VenueCategory string

const (
	VenueMarket        VenueCategory = "farmers_market" // 农贸市场
	VenueMall          VenueCategory = "mall"           // 商场超市
	VenueStation       VenueCategory = "station"        // 车站码头机场
	VenueServiceArea   VenueCategory = "service_area"   // 高速服务区
	VenueCinema        VenueCategory = "cinema"         // 影剧院
	VenueEntertainment VenueCategory = "entertainment"  // 歌舞厅网吧等娱乐场所
	VenueHotel         VenueCategory = "hotel"          // 宾馆酒店
	VenueRestaurant    VenueCategory = "restaurant"     // 餐饮
	VenueMedical       VenueCategory = "medical"        // 医疗机构
	VenueSchool        VenueCategory = "school"         // 学校托幼
	VenueWorkplace     VenueCategory = "workplace"      // 机关企业
	VenueReligious     VenueCategory = "religious"      // 宗教场所
	VenueCommunity     VenueCategory = "community"      // 小区村屯出入口
	VenueOther         VenueCategory = "other"          // 其他
)

// VenueCategories lists the categories in display order.
var VenueCategories = []VenueCategory{VenueMarket, VenueMall, VenueStation, VenueServiceArea, VenueCinema,
	VenueEntertainment, VenueHotel, VenueRestaurant, VenueMedical, VenueSchool, VenueWorkplace, VenueReligious,
	VenueCommunity, VenueOther}

// Venue is a place whose code people scan (场所码).
type Venue struct {
	ID           int64         `json:"id"`
	Name         string        `json:"name"`
	Category     VenueCategory `json:"category"`
	Jurisdiction string        `json:"jurisdiction"`
	Address      string        `json:"address,omitempty"`
	Lat          *float64      `json:"lat,omitempty"` // GCJ-02 as Chinese maps give it
	Lng          *float64      `json:"lng,omitempty"`
	ContactName  string        `json:"contact_name,omitempty"`  // the person responsible
	ContactPhone string        `json:"contact_phone,omitempty"` // masked unless the reader may see it in full
	CodeSerial   int           `json:"code_serial"`             // reissuing the code revokes the earlier ones
	Active       bool          `json:"active"`
	Code         string        `json:"code,omitempty"` // the signed venue code of the current serial
	Version      int           `json:"version"`
}

// VenueFilter selects venues.
type VenueFilter struct {
	Query    string // part of the name or address
	Category VenueCategory
	After    int64 // cursor: venues with a smaller id
	Limit    int
}

// VenueInput registers or changes a venue.
type VenueInput struct {
	Name         string        `json:"name"`
	Category     VenueCategory `json:"category"`
	Jurisdiction string        `json:"jurisdiction"`
	Address      string        `json:"address,omitempty"`
	Lat          *float64      `json:"lat,omitempty"`
	Lng          *float64      `json:"lng,omitempty"`
	ContactName  string        `json:"contact_name,omitempty"`
	ContactPhone string        `json:"contact_phone,omitempty"`
	Active       *bool         `json:"active,omitempty"`
	Version      int           `json:"version,omitempty"`
}

// Validate normalises and checks a venue.
func (in *VenueInput) Validate() error {
	var v Invalid
	v.Code = "venue.invalid"
	in.Name = strings.TrimSpace(in.Name)
	in.Address = strings.TrimSpace(in.Address)
	in.ContactName = strings.TrimSpace(in.ContactName)
	text := func(field, s string, min, max int) {
		n := utf8.RuneCountInString(s)
		if n < min || n > max || strings.ContainsAny(s, "<>\x00") {
			v.Add(field, "venue."+field+"_invalid")
		}
	}
	text("name", in.Name, 1, 100)
	text("address", in.Address, 0, 200)
	text("contact_name", in.ContactName, 0, 50)
	if !slices.Contains(VenueCategories, in.Category) {
		v.Add("category", "venue.category_invalid")
	}
	if _, ok := LevelOf(in.Jurisdiction); !ok {
		v.Add("jurisdiction", "jurisdiction.unknown")
	}
	if (in.Lat == nil) != (in.Lng == nil) {
		v.Add("lat", "venue.coordinates_invalid")
	}
	// China lies within 3°–54° N, 73°–136° E.
	if in.Lat != nil && in.Lng != nil && (math.IsNaN(*in.Lat) || *in.Lat < 3 || *in.Lat > 54 || math.IsNaN(*in.Lng) || *in.Lng < 73 || *in.Lng > 136) {
		v.Add("lat", "venue.coordinates_invalid")
	}
	if in.ContactPhone != "" {
		p, ok := NormalizePhone(in.ContactPhone)
		if !ok {
			v.Add("contact_phone", "person.phone_invalid")
		}
		in.ContactPhone = p
	}
	return v.Err()
}

// Venue codes. A venue code is "CV1." followed by the venue id and the
// code serial (8 + 4 bytes) and their Ed25519 signature (64 bytes), in
// unpadded base64url: 106 characters, which with the scan-in URL make a QR
// code of version 8 at level M. Anyone with cordon's public key can check a code offline;
// only cordon can make one. Reissuing a venue's code raises its serial and
// revokes the codes printed before.

const venueCodePrefix = "CV1."

// SignVenueCode makes the code of a venue's serial.
func SignVenueCode(key ed25519.PrivateKey, venueID int64, serial int) string {
	msg := venueCodeMessage(venueID, serial)
	sig := ed25519.Sign(key, msg)
	return venueCodePrefix + base64.RawURLEncoding.EncodeToString(append(msg, sig...))
}

func venueCodeMessage(venueID int64, serial int) []byte {
	msg := make([]byte, 12)
	binary.BigEndian.PutUint64(msg, uint64(venueID))
	binary.BigEndian.PutUint32(msg[8:], uint32(serial))
	return msg
}

// OpenVenueCode checks a venue code's signature and returns the venue id
// and serial it names. Whether the serial is still current is the
// caller's to check.
func OpenVenueCode(key ed25519.PublicKey, code string) (venueID int64, serial int, err error) {
	bad := Errorf(KindInvalid, "scanin.venue_code_invalid", "not a venue code of cordon")
	// A code may arrive as the whole URL that the QR code carries.
	if i := strings.LastIndex(code, "/"); i >= 0 {
		code = code[i+1:]
	}
	rest, ok := strings.CutPrefix(strings.TrimSpace(code), venueCodePrefix)
	if !ok {
		return 0, 0, bad
	}
	b, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil || len(b) != 12+ed25519.SignatureSize {
		return 0, 0, bad
	}
	if !ed25519.Verify(key, b[:12], b[12:]) {
		return 0, 0, bad
	}
	id := int64(binary.BigEndian.Uint64(b))
	if id <= 0 {
		return 0, 0, bad
	}
	return id, int(binary.BigEndian.Uint32(b[8:])), nil
}

// ScanSource says how a scan-in was made.
type ScanSource int

const (
	ScanByPerson ScanSource = 1 // the person scanned the venue code with a phone
	ScanByDevice ScanSource = 2 // a venue's device recorded the person
	ScanReverse  ScanSource = 3 // staff scanned the person's code (reverse scanning)
)

// ScanIn is one stay of a person at a venue. Leave is zero when nobody
// checked out; the stay then lasts the policy's default dwell.
type ScanIn struct {
	VenueID  int64      `json:"venue_id"`
	PersonID int64      `json:"person_id"`
	At       time.Time  `json:"at"`
	Leave    time.Time  `json:"leave,omitzero"`
	Source   ScanSource `json:"source"`
}

// ScanDay is the day number (days since 1970-01-01 in China time) that
// scan-ins are filed under.
func ScanDay(t time.Time) int64 {
	_, off := t.In(ChinaTime).Zone()
	return (t.Unix() + int64(off)) / 86400
}

// Stay is the interval of a scan-in as the companion rules see it:
// [at, leave) with leave cut to the maximum stay, or [at, at+dwell) with
// no check-out, widened by the buffer on both sides.
func (s ScanIn) Stay(r CompanionRules) (from, to time.Time) {
	to = s.Leave
	if to.IsZero() || !to.After(s.At) {
		to = s.At.Add(r.DefaultDwell())
	}
	if max := s.At.Add(r.MaxStay()); r.MaxStayHours > 0 && to.After(max) {
		to = max
	}
	return s.At.Add(-r.Buffer()), to.Add(r.Buffer())
}

// Overlap is the length of the intersection of half-open intervals
// [a1, a2) and [b1, b2); zero when they do not meet.
func Overlap(a1, a2, b1, b2 time.Time) time.Duration {
	from, to := a1, a2
	if b1.After(from) {
		from = b1
	}
	if b2.Before(to) {
		to = b2
	}
	if !to.After(from) {
		return 0
	}
	return to.Sub(from)
}

// Visit is a stay at a venue on an itinerary: a scan-in of the case, or an
// entry of the investigation that names a venue.
type Visit struct {
	VenueID int64     `json:"venue_id"`
	From    time.Time `json:"from"`
	To      time.Time `json:"to,omitzero"` // zero: the default dwell
}

// CompanionStay is one overlap of a companion with the itinerary.
type CompanionStay struct {
	VenueID   int64     `json:"venue_id"`
	VenueName string    `json:"venue_name,omitempty"`
	At        time.Time `json:"at"`             // the companion's scan-in
	Leave     time.Time `json:"leave,omitzero"` // their check-out, when known
	From      time.Time `json:"overlap_from"`   // the shared time
	To        time.Time `json:"overlap_to"`
	Seconds   int64     `json:"overlap_seconds"`
}

// Companion is a person whose scan-ins overlap an itinerary (时空伴随者).
type Companion struct {
	PersonID  int64           `json:"person_id"`
	Name      string          `json:"name"`
	IDNumber  string          `json:"id_number"`       // masked unless the reader may see it in full
	Seconds   int64           `json:"overlap_seconds"` // over all stays
	Stays     []CompanionStay `json:"stays"`
	ContactID int64           `json:"contact_id,omitempty"` // already a contact
}

// Interval is the stay of a visit as the companion rules see it: [From,
// To) or, without an end, the default dwell, cut to the maximum stay and
// widened by the buffer on both sides.
func (v Visit) Interval(r CompanionRules) (from, to time.Time) {
	return ScanIn{At: v.From, Leave: v.To}.Stay(r)
}

// CandidateRange is the range of entry times of the scan-ins at the
// visit's venue that can overlap the visit: anyone who entered before the
// visit ended and not so long before it began that their stay was over.
func (v Visit) CandidateRange(r CompanionRules) (from, to time.Time) {
	a, b := v.Interval(r)
	longest := max(r.MaxStay(), r.DefaultDwell())
	if r.MaxStayHours == 0 {
		longest = max(72*time.Hour, r.DefaultDwell())
	}
	return a.Add(-longest), b
}

// FindCompanions ranks the people whose stays overlap an itinerary at the
// same venue by at least the minimum overlap: half-open intervals, the
// default dwell where nobody checked out, the buffer around the
// itinerary's stays. atVenue(i) gives the scan-ins made at visit i's venue
// in visit i's CandidateRange. self, the itinerary's own person, is left
// out. A companion's scan-in that overlaps several visits counts once, with
// its longest overlap. Companions come longest overlap first.
func FindCompanions(itinerary []Visit, r CompanionRules, self int64, atVenue func(i int) []ScanIn) []Companion {
	type key struct {
		venue, person int64
		at            int64
	}
	best := map[key]CompanionStay{}
	min := r.MinOverlap()
	if min <= 0 {
		min = time.Second
	}
	for i, v := range itinerary {
		a, b := v.Interval(r)
		for _, s := range atVenue(i) {
			if s.PersonID == self || s.VenueID != v.VenueID {
				continue
			}
			sa, sb := s.Stay(CompanionRules{DefaultDwellMinutes: r.DefaultDwellMinutes, MaxStayHours: r.MaxStayHours})
			d := Overlap(a, b, sa, sb)
			if d < min {
				continue
			}
			k := key{s.VenueID, s.PersonID, s.At.Unix()}
			if cur, ok := best[k]; ok && cur.Seconds >= int64(d/time.Second) {
				continue
			}
			from, to := a, b
			if sa.After(from) {
				from = sa
			}
			if sb.Before(to) {
				to = sb
			}
			best[k] = CompanionStay{VenueID: s.VenueID, At: s.At, Leave: s.Leave, From: from, To: to, Seconds: int64(d / time.Second)}
		}
	}
	byPerson := map[int64]*Companion{}
	for k, st := range best {
		c := byPerson[k.person]
		if c == nil {
			c = &Companion{PersonID: k.person}
			byPerson[k.person] = c
		}
		c.Seconds += st.Seconds
		c.Stays = append(c.Stays, st)
	}
	out := make([]Companion, 0, len(byPerson))
	for _, c := range byPerson {
		slices.SortFunc(c.Stays, func(x, y CompanionStay) int { return x.From.Compare(y.From) })
		out = append(out, *c)
	}
	slices.SortFunc(out, func(x, y Companion) int {
		if x.Seconds != y.Seconds {
			return int(y.Seconds - x.Seconds)
		}
		return int(x.PersonID - y.PersonID)
	})
	return out
}
