package app

import (
	"context"
	"regexp"
	"strings"
	"unicode/utf8"

	"cordon"
	"cordon/internal/linelist"
	"cordon/internal/store"
)

// arrivalImport imports lists of arrivals: the big-data pushes (大数据推送)
// of people arriving from elsewhere, and lists kept by stations and
// checkpoints. A row is a report of one channel (大数据推送 unless the row
// says another), stored as RecordArrival stores it: the traveller found by
// ID number or registered at the destination, merged into the arrival of
// the same trip — a person twice in one list, or in two lists, is one
// arrival with both sources — matched, and given the obligations of the
// edition in force at the destination.
func arrivalImport() ImportKind {
	return ImportKind{
		Name:        "arrivals",
		Action:      "arrival.import",
		Permissions: []cordon.Permission{cordon.PermArrivalWrite},
		Columns:     ArrivalColumns,
		// An arrival writes a person, an arrival and an obligation, each
		// into indexes in random order: commits of 2,000 rows write each
		// dirty page once for more rows than commits of 500.
		Chunk: 2000,
		Start: func(a *App, actor cordon.Actor) RowHandler {
			return &arrivalRows{a: a, actor: actor, here: placeNames{a: a, actor: actor}}
		},
	}
}

// ArrivalColumns are the columns of an arrival list.
var ArrivalColumns = []linelist.Column{
	{Key: "name", Headings: []string{"姓名", "name"}, Required: true},
	{Key: "id_number", Headings: []string{"证件号码", "id_number", "ID number", "身份证号", "身份证号码", "公民身份号码"}, Required: true},
	{Key: "phone", Headings: []string{"联系电话", "phone", "手机号码", "手机号", "电话"}},
	{Key: "destination", Headings: []string{"目的地", "destination", "抵达地", "现住地", "落脚地", "所在辖区"}, Required: true},
	{Key: "address", Headings: []string{"详细地址", "address", "现住址"}},
	{Key: "arrived_at", Headings: []string{"抵达时间", "arrived_at", "arrival time", "到达时间", "入桂时间"}, Required: true, Date: true},
	{Key: "origin", Headings: []string{"出发地", "origin", "来源地", "来自"}, Required: true},
	{Key: "travel", Headings: []string{"旅居史", "travel", "途经地", "行程"}},
	{Key: "transport", Headings: []string{"交通方式", "transport", "车牌号", "车次航班"}},
	{Key: "channel", Headings: []string{"来源渠道", "channel", "渠道"}},
	{Key: "ref", Headings: []string{"推送批次", "ref", "批次", "备注"}},
}

// arrivalChannelNames are how lists write the channels.
var arrivalChannelNames = map[string]cordon.ArrivalChannel{
	"大数据推送": cordon.ChannelBigData, "大数据": cordon.ChannelBigData, "卡点": cordon.ChannelCheckpoint, "卡点通行": cordon.ChannelCheckpoint,
	"车站": cordon.ChannelStation, "车站落地检": cordon.ChannelStation, "落地检": cordon.ChannelStation, "入户排查": cordon.ChannelDoor,
	"排查": cordon.ChannelDoor,
}

// arrivalRows is the handler of one job's arrival rows.
type arrivalRows struct {
	a      *App
	actor  cordon.Actor
	here   placeNames // the destination lies in the importer's jurisdiction
	places *cordon.ArrivalPlaces
	names  map[string][]string // every division by its name, for origins and travel
	policy func(string) (cordon.Policy, error)
}

// elsewhere reads a place outside the importer's jurisdiction: a division
// code, or a name the directory knows as one place — its own name or a
// tail of its full path (德保县都安乡, 百色市德保县).
func (h *arrivalRows) elsewhere(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if _, ok := cordon.LevelOf(s); ok {
		_, known := h.a.dir.Lookup(s)
		return s, known
	}
	if h.names == nil {
		h.names = map[string][]string{}
		var walk func(code string)
		walk = func(code string) {
			for _, c := range h.a.dir.Children(code) {
				h.names[c.Name] = append(h.names[c.Name], c.Code)
				walk(c.Code)
			}
		}
		walk("")
	}
	// The last name in the text ends at its last level word.
	last := s
	if i := strings.LastIndexAny(strings.TrimRight(s, "省市县区乡镇旗"), "省市县区乡镇旗"); i >= 0 {
		_, size := utf8.DecodeRuneInString(s[i:])
		last = s[i+size:]
	}
	var found []string
	for _, code := range h.names[last] {
		if strings.HasSuffix(h.a.dir.Path(code), s) {
			found = append(found, code)
		}
	}
	if len(found) != 1 {
		return "", false
	}
	return found[0], true
}

// travelPart is one stop of a 旅居史 cell: a place, then optionally its
// days "2022-02-01~2022-02-07" (or one day).
var travelPart = regexp.MustCompile(`^(.+?)\s*(\d{4}-\d{1,2}-\d{1,2})?(?:\s*[~～至-]\s*(\d{4}-\d{1,2}-\d{1,2}))?$`)

func (h *arrivalRows) Check(ctx context.Context, row linelist.Row) (RowWrite, error) {
	var v cordon.Invalid
	v.Code = "import.row_invalid"
	in := cordon.TripReport{Name: row.Value("name"), IDNumber: row.Value("id_number"), Phone: row.Value("phone"), Address: row.Value("address"),
		Transport: row.Value("transport"), Ref: row.Value("ref"), Channel: cordon.ChannelBigData}
	switch id := in.IDNumber; {
	case strings.Contains(id, "*"):
		v.Add("id_number", "import.id_number_masked")
	case strings.Contains(strings.ToUpper(id), "E+"):
		v.Add("id_number", "import.id_number_as_number")
	}
	if c := strings.TrimSpace(row.Value("channel")); c != "" {
		ch, ok := arrivalChannelNames[c]
		if !ok && cordon.ArrivalChannel(c) != cordon.ChannelSelfReport {
			ch, ok = cordon.ArrivalChannel(c), true
		}
		in.Channel = ch
	}
	dest, err := h.here.code(ctx, row.Value("destination"))
	if err != nil {
		v.Add("destination", cordon.ErrorCode(err))
	}
	in.Destination = dest
	if code, ok := h.elsewhere(row.Value("origin")); ok {
		in.Origin = code
	} else {
		v.Add("origin", "arrival.origin_unknown")
	}
	if t, ok := linelist.Time(row.Value("arrived_at")); ok {
		in.ArrivedAt = t
	} else {
		v.Add("arrived_at", "import.date_unreadable")
	}
	for _, part := range strings.FieldsFunc(row.Value("travel"), func(r rune) bool { return r == '；' || r == ';' || r == '、' || r == '，' }) {
		m := travelPart.FindStringSubmatch(strings.TrimSpace(part))
		if m == nil {
			v.Add("travel", "arrival.travel_unreadable")
			break
		}
		code, ok := h.elsewhere(m[1])
		if !ok {
			v.Add("travel", "arrival.travel_place_unknown")
			break
		}
		from, _ := linelist.Date(m[2])
		to, ok := linelist.Date(m[3])
		if !ok {
			to = from
		}
		in.Travel = append(in.Travel, cordon.TravelStop{Place: code, From: from, To: to})
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := in.Validate(h.a.now()); err != nil {
		return nil, err
	}
	if !h.actor.Sees(in.Destination) {
		return nil, cordon.Errorf(cordon.KindForbidden, "arrival.outside_jurisdiction", "the destination is outside your jurisdiction").WithField("destination", "arrival.outside_jurisdiction")
	}
	if h.places == nil {
		if h.places, err = h.a.places(ctx); err != nil {
			return nil, err
		}
		if h.policy, err = h.a.policyBook(ctx, h.a.now()); err != nil {
			return nil, err
		}
	}
	return func(ctx context.Context, tx *store.Tx) ([]string, error) {
		v, err := h.a.mergeTrip(ctx, tx, h.actor, in, tripContext{places: h.places, quiet: true, policy: h.policy})
		if err != nil {
			return nil, err
		}
		return []string{arrivalRecord(v.ID)}, nil
	}, nil
}
