package cordon

import (
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
	"time"
)

func chainTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

// debaoOutbreak is a small outbreak shaped like Debao's in early 2022: an
// index case (1) at a banquet on 2022-01-29 infects five guests (2-6); two of
// them pass it on at home (7, 8), and 8 may have caught it from 4 as well; 7
// infects 9. A separate pair (20 -> 21) and a sporadic case (22) make two
// more clusters.
func debaoOutbreak() ([]ChainCase, []Link, []ContactEdge) {
	cases := []ChainCase{
		{1, chainTime("2022-02-04T23:30:00Z")}, // 2022-02-05 07:30 in China
		{2, chainTime("2022-02-05T02:00:00Z")},
		{3, chainTime("2022-02-05T02:00:00Z")},
		{4, chainTime("2022-02-05T03:00:00Z")},
		{5, chainTime("2022-02-05T15:59:59Z")}, // 23:59:59 China time: still 02-05
		{6, chainTime("2022-02-05T04:00:00Z")},
		{7, chainTime("2022-02-06T17:00:00Z")}, // 02-07 01:00 China time
		{8, chainTime("2022-02-06T16:00:00Z")}, // 02-07 00:00 China time
		{9, chainTime("2022-02-08T02:00:00Z")},
		{20, chainTime("2022-02-06T02:00:00Z")},
		{21, time.Time{}}, // detection time unknown
		{22, chainTime("2022-02-07T02:00:00Z")},
	}
	banquet := "banquet 2022-01-29"
	links := []Link{
		{1, 2, banquet, LinkConfirmed},
		{1, 3, banquet, LinkConfirmed},
		{1, 4, banquet, LinkProbable},
		{1, 5, banquet, LinkProbable},
		{1, 6, banquet, LinkPossible},
		{1, 2, "sequencing", LinkConfirmed}, // the same pair again: counts once
		{2, 7, "household", LinkConfirmed},
		{3, 8, "household", LinkProbable},
		{4, 8, "workplace", LinkPossible},
		{7, 9, "household", LinkConfirmed},
		{20, 21, "household", LinkConfirmed},
		{1, 999, "banquet", LinkPossible}, // no such case
	}
	contacts := []ContactEdge{
		{Source: 1, Contact: 100}, {Source: 1, Contact: 101}, {Source: 1, Contact: 102},
		{Source: 1, Contact: 103}, {Source: 1, Contact: 104},
		{Source: 1, Contact: 100}, // the same contact again, from another exposure
		{Source: 2, Contact: 105},
		{Source: 2, Contact: 100},                    // shared with case 1: counts for both
		{Source: 100, Contact: 200, Secondary: true}, // a secondary contact
		{Source: 2, Contact: 201, Secondary: true},   // contact #2, not case 2
		{Source: 999, Contact: 300},                  // no such case
	}
	return cases, links, contacts
}

func TestBuildChainsDebao(t *testing.T) {
	cases, links, contacts := debaoOutbreak()
	ch := BuildChains(cases, links, contacts, 0)

	type want struct {
		cluster                         int64
		gen, infectors, secondary, cont int
		super                           bool
	}
	wants := map[int64]want{
		1:  {1, 0, 0, 5, 5, true},
		2:  {1, 1, 1, 1, 2, false},
		3:  {1, 1, 1, 1, 0, false},
		4:  {1, 1, 1, 1, 0, false},
		5:  {1, 1, 1, 0, 0, false},
		6:  {1, 1, 1, 0, 0, false},
		7:  {1, 2, 1, 1, 0, false},
		8:  {1, 2, 2, 0, 0, false},
		9:  {1, 3, 1, 0, 0, false},
		20: {20, 0, 0, 1, 0, false},
		21: {20, 1, 1, 0, 0, false},
		22: {22, 0, 0, 0, 0, false},
	}
	if len(ch.Cases) != len(wants) {
		t.Fatalf("%d cases, want %d", len(ch.Cases), len(wants))
	}
	for id, w := range wants {
		p, ok := ch.Case(id)
		got := want{p.Cluster, p.Generation, p.Infectors, p.Secondary, p.Contacts, p.Superspreader}
		if !ok || got != w {
			t.Errorf("case %d: %+v, want %+v", id, got, w)
		}
	}
	if _, ok := ch.Case(999); ok {
		t.Error("case 999 was never given")
	}
	if !slices.IsSortedFunc(ch.Cases, func(a, b CasePlace) int { return int(a.ID - b.ID) }) {
		t.Error("cases are not in id order")
	}
	if !slices.Equal(ch.MultipleInfectors, []int64{8}) {
		t.Errorf("multiple infectors %v, want [8]", ch.MultipleInfectors)
	}
	if len(ch.Cycles) != 0 {
		t.Errorf("cycles %v in an acyclic outbreak", ch.Cycles)
	}
	if len(ch.Unknown) != 1 || ch.Unknown[0].To != 999 {
		t.Errorf("unknown links %v, want the link to 999", ch.Unknown)
	}

	wantClusters := []Cluster{
		{ID: 1, Size: 9, Roots: []int64{1}, MaxGeneration: 3, Series: []ClusterDay{
			{"2022-02-05", 6, 6}, {"2022-02-07", 2, 8}, {"2022-02-08", 1, 9}}},
		{ID: 20, Size: 2, Roots: []int64{20}, MaxGeneration: 1, Series: []ClusterDay{{"2022-02-06", 1, 1}}},
		{ID: 22, Size: 1, Roots: []int64{22}, MaxGeneration: 0, Series: []ClusterDay{{"2022-02-07", 1, 1}}},
	}
	if !reflect.DeepEqual(ch.Clusters, wantClusters) {
		t.Errorf("clusters\n got %+v\nwant %+v", ch.Clusters, wantClusters)
	}
	if k, ok := ch.Cluster(20); !ok || k.Size != 2 {
		t.Errorf("Cluster(20) = %+v, %v", k, ok)
	}

	// Follow-up is complete below generation 3 (case 9 alone is left out):
	// offspring 5,1,1,1,0,0,1,0 in cluster 1, then 1,0 and 0: 10 over 11.
	if ch.OffspringCases != 11 || math.Abs(ch.MeanOffspring-10.0/11) > 1e-12 {
		t.Errorf("mean offspring %v over %d cases, want 10/11 over 11", ch.MeanOffspring, ch.OffspringCases)
	}
	// Variance (30 − 100/11)/10 = 23/11, so k = (10/11)² / (23/11 − 10/11) = 100/143.
	if math.Abs(ch.Dispersion-100.0/143) > 1e-12 {
		t.Errorf("dispersion %v, want 100/143", ch.Dispersion)
	}
	// Poisson(10/11): P(X ≥ 4) ≈ 0.0139, P(X ≥ 5) ≈ 0.0024, so 5 secondary
	// cases make a superspreader and case 1 has exactly 5.
	if ch.Threshold != 5 {
		t.Errorf("threshold %d, want 5", ch.Threshold)
	}
}

func TestBuildChainsThresholdGiven(t *testing.T) {
	cases, links, contacts := debaoOutbreak()
	for _, c := range []struct {
		threshold int
		super     []int64
	}{
		{6, nil},
		{5, []int64{1}},
		{1, []int64{1, 2, 3, 4, 7, 20}},
	} {
		ch := BuildChains(cases, links, contacts, c.threshold)
		var super []int64
		for _, p := range ch.Cases {
			if p.Superspreader {
				super = append(super, p.ID)
			}
		}
		if ch.Threshold != c.threshold || !slices.Equal(super, c.super) {
			t.Errorf("threshold %d: superspreaders %v (threshold %d), want %v", c.threshold, super, ch.Threshold, c.super)
		}
	}
}

// TestBuildChainsStableClusterIDs checks that nothing depends on the order
// of the input, and that a cluster keeps its id as it grows.
func TestBuildChainsStableClusterIDs(t *testing.T) {
	cases, links, contacts := debaoOutbreak()
	first := BuildChains(cases, links, contacts, 0)
	r := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		c, l, k := slices.Clone(cases), slices.Clone(links), slices.Clone(contacts)
		r.Shuffle(len(c), func(i, j int) { c[i], c[j] = c[j], c[i] })
		r.Shuffle(len(l), func(i, j int) { l[i], l[j] = l[j], l[i] })
		r.Shuffle(len(k), func(i, j int) { k[i], k[j] = k[j], k[i] })
		if got := BuildChains(c, l, k, 0); !reflect.DeepEqual(got, first) {
			t.Fatalf("shuffled input changed the result:\n got %+v\nwant %+v", got, first)
		}
	}
	// Case 10, infected by 9, joins cluster 1; case 15 infects 20 and
	// becomes the root of cluster 15, which 20 and 21 now belong to; case
	// 30 infects 22, whose cluster keeps its id under a new root.
	cases = append(cases, ChainCase{ID: 10}, ChainCase{ID: 15}, ChainCase{ID: 30})
	links = append(links, Link{9, 10, "household", LinkConfirmed}, Link{15, 20, "neighbour", LinkProbable},
		Link{30, 22, "market", LinkPossible})
	ch := BuildChains(cases, links, contacts, 0)
	var ids []int64
	for _, k := range ch.Clusters {
		ids = append(ids, k.ID)
	}
	if !slices.Equal(ids, []int64{1, 15, 22}) {
		t.Errorf("cluster ids %v, want [1 15 22]", ids)
	}
	if p, _ := ch.Case(21); p.Cluster != 15 || p.Generation != 2 {
		t.Errorf("case 21 after the merge: %+v, want cluster 15, generation 2", p)
	}
	if k, _ := ch.Cluster(22); k.Size != 2 || !slices.Equal(k.Roots, []int64{30}) || k.MaxGeneration != 1 {
		t.Errorf("cluster 22 with its infector 30: %+v", k)
	}
	if p, _ := ch.Case(30); p.Cluster != 22 {
		t.Errorf("case 30 in cluster %d, want 22", p.Cluster)
	}
	if k, _ := ch.Cluster(1); k.Size != 10 || k.MaxGeneration != 4 || k.Series[len(k.Series)-1].Total != 9 {
		t.Errorf("cluster 1 grown by an undated case: %+v", k)
	}
}

func TestBuildChainsGenerations(t *testing.T) {
	for _, c := range []struct {
		name     string
		links    [][2]int64
		gens     map[int64]int
		multiple []int64
		cycles   []int64
	}{
		{"no links", nil, map[int64]int{1: 0, 2: 0}, nil, nil},
		{"chain", [][2]int64{{1, 2}, {2, 3}, {3, 4}}, map[int64]int{1: 0, 2: 1, 3: 2, 4: 3}, nil, nil},
		// 4 is infected by 1 directly and by 3 two generations later: the
		// nearest infector wins.
		{"shortcut", [][2]int64{{1, 2}, {2, 3}, {3, 4}, {1, 4}}, map[int64]int{1: 0, 2: 1, 3: 2, 4: 1}, []int64{4}, nil},
		{"two roots", [][2]int64{{1, 3}, {2, 3}, {3, 4}}, map[int64]int{1: 0, 2: 0, 3: 1, 4: 2}, []int64{3}, nil},
		{"infector with a higher id", [][2]int64{{5, 1}, {1, 2}}, map[int64]int{5: 0, 1: 1, 2: 2}, nil, nil},
		// 2 and 3 infect each other, and 4 descends from them: none has a
		// generation. 5 infects itself. 6 -> 7 is fine.
		{"cycles", [][2]int64{{1, 2}, {2, 3}, {3, 2}, {3, 4}, {5, 5}, {6, 7}},
			map[int64]int{1: 0, 2: -1, 3: -1, 4: -1, 5: -1, 6: 0, 7: 1}, []int64{2}, []int64{2, 3, 4, 5}},
		{"a cycle alone", [][2]int64{{1, 2}, {2, 1}}, map[int64]int{1: -1, 2: -1}, nil, []int64{1, 2}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var cases []ChainCase
			for id := range c.gens {
				cases = append(cases, ChainCase{ID: id})
			}
			var links []Link
			for _, l := range c.links {
				links = append(links, Link{From: l[0], To: l[1], Evidence: "test", Confidence: LinkConfirmed})
			}
			done := make(chan Chains, 1)
			go func() { done <- BuildChains(cases, links, nil, 0) }()
			var ch Chains
			select {
			case ch = <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("BuildChains did not return")
			}
			for id, g := range c.gens {
				if p, _ := ch.Case(id); p.Generation != g {
					t.Errorf("case %d: generation %d, want %d", id, p.Generation, g)
				}
			}
			if !slices.Equal(ch.MultipleInfectors, c.multiple) || !slices.Equal(ch.Cycles, c.cycles) {
				t.Errorf("multiple infectors %v, cycles %v; want %v, %v", ch.MultipleInfectors, ch.Cycles, c.multiple, c.cycles)
			}
		})
	}
}

func TestBuildChainsCycleCluster(t *testing.T) {
	ch := BuildChains([]ChainCase{{ID: 1}, {ID: 2}, {ID: 3}}, []Link{{From: 1, To: 2}, {From: 2, To: 1}, {From: 3, To: 3}}, nil, 0)
	want := []Cluster{
		{ID: 1, Size: 2, Roots: []int64{}, MaxGeneration: -1, Series: []ClusterDay{}},
		{ID: 3, Size: 1, Roots: []int64{}, MaxGeneration: -1, Series: []ClusterDay{}},
	}
	if !reflect.DeepEqual(ch.Clusters, want) {
		t.Errorf("clusters %+v, want %+v", ch.Clusters, want)
	}
	// A self-link is no offspring.
	if p, _ := ch.Case(3); p.Secondary != 0 || p.Infectors != 0 {
		t.Errorf("self-linked case: %+v", p)
	}
}

// TestBuildChainsLongChain walks 10,000 generations: nothing may recurse.
func TestBuildChainsLongChain(t *testing.T) {
	const n = 10_000
	cases := make([]ChainCase, n)
	links := make([]Link, n-1)
	for i := range n {
		cases[i].ID = int64(n - i) // given backwards
		if i > 0 {
			links[i-1] = Link{From: int64(i), To: int64(i + 1)}
		}
	}
	ch := BuildChains(cases, links, nil, 0)
	if len(ch.Clusters) != 1 || ch.Clusters[0].MaxGeneration != n-1 || ch.Clusters[0].Size != n {
		t.Fatalf("clusters: %d, first %+v", len(ch.Clusters), ch.Clusters[0].Size)
	}
	if p, _ := ch.Case(n); p.Generation != n-1 {
		t.Errorf("last case: generation %d", p.Generation)
	}
	// Every case but the last infected one: R = 1 over the first n-1.
	if ch.MeanOffspring != 1 || ch.OffspringCases != n-1 || ch.Dispersion != 0 {
		t.Errorf("mean %v over %d, dispersion %v", ch.MeanOffspring, ch.OffspringCases, ch.Dispersion)
	}
}

func TestBuildChainsEmpty(t *testing.T) {
	ch := BuildChains(nil, []Link{{From: 1, To: 2}}, []ContactEdge{{Source: 1, Contact: 2}}, 0)
	if len(ch.Cases) != 0 || len(ch.Clusters) != 0 || len(ch.Unknown) != 1 || ch.Threshold != 1 {
		t.Errorf("%+v", ch)
	}
}

func TestChainSeriesChinaDay(t *testing.T) {
	for _, c := range []struct {
		utc, day string
	}{
		{"2022-02-04T23:30:00Z", "2022-02-05"},
		{"2022-02-04T15:59:59Z", "2022-02-04"},
		{"2022-02-04T16:00:00Z", "2022-02-05"},
		{"2022-02-05T10:00:00+08:00", "2022-02-05"},
		{"2022-12-31T16:00:00Z", "2023-01-01"},
	} {
		ch := BuildChains([]ChainCase{{ID: 1, Detected: chainTime(c.utc)}}, nil, nil, 0)
		if got := ch.Clusters[0].Series; len(got) != 1 || got[0] != (ClusterDay{c.day, 1, 1}) {
			t.Errorf("%s: %+v, want %s", c.utc, got, c.day)
		}
	}
}

// recurrenceThreshold is the rule computed the plain way: the pmf by its
// recurrence p(k) = p(k−1)·r/k.
func recurrenceThreshold(r float64) int {
	p, cdf := math.Exp(-r), 0.0
	for k := 0; ; k++ {
		if k > 0 {
			p *= r / float64(k)
		}
		cdf += p
		if 1-cdf < 0.01 {
			return k + 1
		}
	}
}

func TestChainSuperspreadingThreshold(t *testing.T) {
	// Poisson(2): P(X ≥ 6) = 1 − 0.98344 = 0.0166, P(X ≥ 7) = 1 − 0.99547 = 0.0045.
	for _, c := range []struct {
		r    float64
		want int
	}{
		{0, 1}, {math.NaN(), 1}, {-1, 1},
		{0.05, 2},
		{1, 5},
		{2, 7},
		{3, 9},
	} {
		if got := SuperspreadingThreshold(c.r); got != c.want {
			t.Errorf("r = %v: threshold %d, want %d", c.r, got, c.want)
		}
	}
	for r := 0.1; r < 40; r += 0.37 {
		k := SuperspreadingThreshold(r)
		if want := recurrenceThreshold(r); k != want {
			t.Errorf("r = %v: threshold %d, the recurrence gives %d", r, k, want)
		}
	}
	// Far past where e^−r underflows: about r + 2.33·√r.
	if k := SuperspreadingThreshold(1000); k < 1060 || k > 1090 {
		t.Errorf("r = 1000: threshold %d", k)
	}
}

func TestChainValidateLinks(t *testing.T) {
	existing := []Link{
		{1, 2, "banquet 2022-01-29", LinkConfirmed},
		{2, 3, "household", LinkConfirmed},
		{3, 4, "household", LinkProbable},
		{10, 11, "workplace", LinkPossible},
		{20, 21, "x", LinkPossible}, {21, 20, "x", LinkPossible}, // an old cycle elsewhere
	}
	for _, c := range []struct {
		name string
		add  Link
		kind Kind
		code string
		path []int64
	}{
		{"new branch", Link{2, 5, "household", LinkConfirmed}, 0, "", nil},
		{"second infector", Link{1, 3, "banquet", LinkPossible}, 0, "", nil},
		{"joins clusters", Link{4, 10, "market", LinkProbable}, 0, "", nil},
		{"into the old cycle", Link{4, 20, "market", LinkProbable}, 0, "", nil},
		{"direct cycle", Link{2, 1, "household", LinkConfirmed}, KindConflict, "chain.cycle", []int64{1, 2}},
		{"indirect cycle", Link{4, 1, "household", LinkConfirmed}, KindConflict, "chain.cycle", []int64{1, 2, 3, 4}},
		{"self link", Link{3, 3, "household", LinkConfirmed}, KindInvalid, "chain.self_link", nil},
		{"confidence", Link{2, 5, "household", "certain"}, KindInvalid, "chain.confidence_invalid", nil},
		{"no confidence", Link{2, 5, "household", ""}, KindInvalid, "chain.confidence_invalid", nil},
		{"no evidence", Link{2, 5, "  ", LinkConfirmed}, KindInvalid, "chain.evidence_invalid", nil},
		{"markup", Link{2, 5, "<b>", LinkConfirmed}, KindInvalid, "chain.evidence_invalid", nil},
		{"two faults", Link{2, 2, "", LinkConfirmed}, KindInvalid, "chain.link_invalid", nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := ValidateLinks(existing, c.add)
			if c.code == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if ErrorKind(err) != c.kind || ErrorCode(err) != c.code {
				t.Fatalf("%v (kind %v), want %s (%v)", err, ErrorKind(err), c.code, c.kind)
			}
			if c.path != nil {
				if got, _ := err.(*Error).Extra["path"].([]int64); !slices.Equal(got, c.path) {
					t.Errorf("path %v, want %v", got, c.path)
				}
			}
		})
	}
	if err := ValidateLinks(nil, Link{1, 2, "household", LinkConfirmed}); err != nil {
		t.Errorf("first link refused: %v", err)
	}
}

// chainForest is a random outbreak: n cases, every case after the first tenth
// infected by an earlier one, and m contact edges, a tenth of them
// secondary.
func chainForest(n, m int) ([]ChainCase, []Link, []ContactEdge) {
	r := rand.New(rand.NewPCG(2022, 2))
	day0 := chainTime("2022-02-04T00:00:00Z")
	cases := make([]ChainCase, n)
	for i := range cases {
		cases[i] = ChainCase{ID: int64(i + 1), Detected: day0.Add(time.Duration(i) * 3 * time.Minute)}
	}
	var links []Link
	for i := n / 10; i < n; i++ {
		links = append(links, Link{From: int64(r.IntN(i) + 1), To: int64(i + 1), Evidence: "household", Confidence: LinkProbable})
	}
	contacts := make([]ContactEdge, m)
	for i := range contacts {
		contacts[i] = ContactEdge{Source: int64(r.IntN(n) + 1), Contact: int64(r.IntN(m) + 1), Secondary: i%10 == 0}
	}
	return cases, links, contacts
}

func TestBuildChainsForest(t *testing.T) {
	cases, links, contacts := chainForest(10_000, 200_000)
	ch := BuildChains(cases, links, contacts, 0)
	if len(ch.Clusters) != 1_000 || len(ch.Cycles) != 0 || len(ch.MultipleInfectors) != 0 {
		t.Fatalf("%d clusters, %d in cycles, %d with several infectors", len(ch.Clusters), len(ch.Cycles), len(ch.MultipleInfectors))
	}
	size, traced := 0, 0
	for _, k := range ch.Clusters {
		size += k.Size
		if len(k.Roots) != 1 || k.Roots[0] != k.ID || k.Series[len(k.Series)-1].Total != k.Size {
			t.Fatalf("cluster %+v", k)
		}
	}
	for _, p := range ch.Cases {
		traced += p.Contacts
	}
	if size != 10_000 || traced == 0 || traced > 180_000 {
		t.Errorf("sizes add up to %d; %d contacts traced", size, traced)
	}
}

func BenchmarkBuildChains(b *testing.B) {
	cases, links, contacts := chainForest(10_000, 200_000)
	b.ReportAllocs()
	for b.Loop() {
		BuildChains(cases, links, contacts, 0)
	}
}
