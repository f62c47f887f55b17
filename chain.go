package cordon

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Transmission chains (传播链) and clusters (聚集性疫情): who infected whom,
// as the investigators found it, and what follows from it. The functions
// here are pure so that the same rules serve the pages, the API and the
// reports; the app loads the links and contacts and stores the results.

// Confidence is how sure the investigators are that a link is real. A
// sequencing match or a single shared exposure confirms a link; a shared
// place and time without other exposure makes it probable; a plausible but
// unverified meeting makes it possible. Reports count chains by confidence,
// so the value is one of three, never free text.
type Confidence string

const (
	LinkConfirmed Confidence = "confirmed"
	LinkProbable  Confidence = "probable"
	LinkPossible  Confidence = "possible"
)

// Confidences lists the confidences from the surest down.
var Confidences = []Confidence{LinkConfirmed, LinkProbable, LinkPossible}

// Valid reports whether c is a known confidence.
func (c Confidence) Valid() bool {
	return slices.Contains(Confidences, c)
}

// MaxEvidence bounds a link's evidence, in characters: it names the
// exposure ("household", "banquet 2022-01-29", "sequencing"), the
// investigation report tells the story.
const MaxEvidence = 200

// Link is a transmission link: case From infected case To. A case may have
// several infectors when the investigation cannot tell which one it was.
type Link struct {
	From       int64      `json:"from"`
	To         int64      `json:"to"`
	Evidence   string     `json:"evidence"`
	Confidence Confidence `json:"confidence"`
}

// ContactEdge is one exposure found by contact tracing: Contact was exposed
// to Source. Contact ids are contact records, an id space of their own (a
// contact who turns positive gets a case, and a Link, besides). Source is a
// case id, unless Secondary is set: then it is the id of a close contact and
// Contact is a secondary close contact (密接的密接), which is the contact's
// business, not the case's, and counts towards no case's tracing.
type ContactEdge struct {
	Source    int64 `json:"source"`
	Contact   int64 `json:"contact"`
	Secondary bool  `json:"secondary,omitempty"`
}

// ValidateLinks checks a link before it joins the existing ones: a known
// confidence, some evidence, no self-link, and no cycle, since a case cannot
// be its own ancestor. A cycle is a Conflict rather than an Invalid because
// the link is well formed; it is the recorded chain that contradicts it, and
// the error's Extra["path"] lists that chain (add.To, ..., add.From) so the
// investigator can see which link to question. The app trims Evidence
// before storing it. Indexing existing costs O(n log n); the search then
// visits only the ancestors of add.From.
func ValidateLinks(existing []Link, add Link) error {
	var v Invalid
	v.Code = "chain.link_invalid"
	if add.From == add.To {
		v.Add("to", "chain.self_link")
	}
	if !add.Confidence.Valid() {
		v.Add("confidence", "chain.confidence_invalid")
	}
	ev := strings.TrimSpace(add.Evidence)
	if ev == "" || utf8.RuneCountInString(ev) > MaxEvidence || strings.ContainsAny(ev, "<>\x00") {
		v.Add("evidence", "chain.evidence_invalid")
	}
	if err := v.Err(); err != nil {
		return err
	}
	if path := descent(existing, add.To, add.From); path != nil {
		e := Errorf(KindConflict, "chain.cycle", "case %d already descends from case %d, so case %d cannot have infected case %d",
			add.From, add.To, add.From, add.To).WithField("to", "chain.cycle")
		e.Extra = map[string]any{"path": path}
		return e
	}
	return nil
}

// descent finds a chain of links from ancestor down to start, walking up
// from start through its infectors, and returns it ancestor first; nil when
// ancestor is not an ancestor of start.
func descent(links []Link, ancestor, start int64) []int64 {
	type infection struct{ to, from int64 }
	byTo := make([]infection, len(links))
	for i, l := range links {
		byTo[i] = infection{l.To, l.From}
	}
	slices.SortFunc(byTo, func(a, b infection) int { return cmp.Compare(a.to, b.to) })
	next := map[int64]int64{start: start} // a visited ancestor -> the case it infected, towards start
	queue := []int64{start}
	for h := 0; h < len(queue); h++ {
		u := queue[h]
		i, _ := slices.BinarySearchFunc(byTo, u, func(x infection, id int64) int { return cmp.Compare(x.to, id) })
		for ; i < len(byTo) && byTo[i].to == u; i++ {
			f := byTo[i].from
			if _, seen := next[f]; seen {
				continue
			}
			next[f] = u
			if f == ancestor {
				path := []int64{f}
				for f != start {
					f = next[f]
					path = append(path, f)
				}
				return path
			}
			queue = append(queue, f)
		}
	}
	return nil
}

// ChainCase is what BuildChains needs to know of a case.
type ChainCase struct {
	ID       int64
	Detected time.Time // zero when unknown: the case then stays out of the size series
}

// CasePlace is where one case stands in the chains.
type CasePlace struct {
	ID      int64 `json:"id"`
	Cluster int64 `json:"cluster"`
	// Generation is 0 for a root (a case with no known infector) and one
	// more than its infector's otherwise, the nearest infector when there
	// are several; -1 when the links around it form a cycle.
	Generation    int  `json:"generation"`
	Infectors     int  `json:"infectors"`       // distinct known infectors
	Secondary     int  `json:"secondary_cases"` // distinct cases it infected: its out-degree
	Contacts      int  `json:"contacts"`        // distinct close contacts traced to it
	Superspreader bool `json:"superspreader"`   // Secondary reached the threshold
}

// Cluster is a connected component of the links, taken as undirected: the
// cases of one outbreak event, however they are related.
type Cluster struct {
	// ID is the smallest case id in the cluster, so that it stays the same
	// while the cluster grows and does not depend on the order of the input
	// (only a merge with a cluster holding a smaller id changes it).
	ID            int64        `json:"id"`
	Size          int          `json:"size"`
	Roots         []int64      `json:"roots"`          // the cases of generation 0, by id
	MaxGeneration int          `json:"max_generation"` // -1 when every case is in a cycle
	Series        []ClusterDay `json:"series"`         // days the cluster grew, in order
}

// ClusterDay is one day of a cluster's growth: the cases detected that day
// (China time) and the cluster's size at its end. Days without new cases are
// left out; the size holds until the next entry. Cases with no detection
// time are not in the series, so the last Total may be below Size.
type ClusterDay struct {
	Day   string `json:"day"` // YYYY-MM-DD, China time
	New   int    `json:"new"`
	Total int    `json:"total"`
}

// Chains is everything BuildChains derives.
type Chains struct {
	Cases             []CasePlace `json:"cases"`                        // by case id
	Clusters          []Cluster   `json:"clusters"`                     // by cluster id
	MultipleInfectors []int64     `json:"multiple_infectors,omitempty"` // cases with more than one infector, by id
	// Cycles lists, by id, the cases whose generation is -1: on a cycle of
	// links, or infected, directly or not, by a case on one. ValidateLinks
	// keeps cycles out; imported or hand-edited data may still hold them.
	Cycles  []int64 `json:"cycles,omitempty"`
	Unknown []Link  `json:"unknown_links,omitempty"` // links naming a case not given; ignored
	// MeanOffspring is the mean number of secondary cases (an estimate of
	// R) over the cases whose follow-up is complete: every case with a
	// generation below the latest generation reached, or every case with a
	// generation when all are roots. OffspringCases counts them.
	MeanOffspring  float64 `json:"mean_offspring"`
	OffspringCases int     `json:"offspring_cases"`
	// Dispersion is the moment estimate of the negative binomial's k,
	// mean²/(variance − mean), over the same cases: the smaller k, the more
	// transmission rests on a few cases (SARS was about 0.16). It is 0 when
	// the variance does not exceed the mean, that is, no overdispersion.
	Dispersion float64 `json:"dispersion,omitempty"`
	Threshold  int     `json:"superspreader_threshold"` // secondary cases that make a superspreader
}

// Case returns the place of the case with the given id.
func (c *Chains) Case(id int64) (CasePlace, bool) {
	i, ok := slices.BinarySearchFunc(c.Cases, id, func(p CasePlace, id int64) int { return cmp.Compare(p.ID, id) })
	if !ok {
		return CasePlace{}, false
	}
	return c.Cases[i], true
}

// Cluster returns the cluster with the given id.
func (c *Chains) Cluster(id int64) (Cluster, bool) {
	i, ok := slices.BinarySearchFunc(c.Clusters, id, func(k Cluster, id int64) int { return cmp.Compare(k.ID, id) })
	if !ok {
		return Cluster{}, false
	}
	return c.Clusters[i], true
}

// SuperspreadingThreshold is the number of secondary cases that makes a
// case a superspreader when the mean offspring number is r: the smallest k
// with P(X ≥ k) < 1% for X ~ Poisson(r), i.e. more than the 99th percentile
// of what homogeneous transmission would give. This is the rule of
// Lloyd-Smith et al. (Nature, 2005); investigations in 2022 flagged
// superspreading events (超级传播事件) such as banquets and gatherings the
// same way, by how far one case's offspring stood above the rest. For r = 2
// it is 7.
func SuperspreadingThreshold(r float64) int {
	if !(r > 0) || math.IsInf(r, 0) {
		return 1 // P(X ≥ 1) = 0 when nobody infects anybody
	}
	logr := math.Log(r)
	limit := int(r + 50*math.Sqrt(r) + 100) // far beyond the 99th percentile
	cdf := 0.0
	for k := 0; k < limit; k++ {
		lg, _ := math.Lgamma(float64(k + 1))
		cdf += math.Exp(float64(k)*logr - r - lg)
		if 1-cdf < 0.01 { // P(X ≥ k+1) = 1 − P(X ≤ k)
			return k + 1
		}
	}
	return limit
}

// BuildChains derives clusters, generations, offspring counts and
// superspreaders from the cases, the links between them and the contacts
// traced. A superspreader has at least superspreader secondary cases, or,
// when superspreader is 0 or less, at least SuperspreadingThreshold of the
// mean offspring number. Duplicate case ids count once (the first is kept);
// duplicate links and contact edges count once. It runs in O(n log n) in the
// size of the input and never loops on a cycle of links.
func BuildChains(cases []ChainCase, links []Link, contacts []ContactEdge, superspreader int) Chains {
	cs := slices.Clone(cases)
	slices.SortStableFunc(cs, func(a, b ChainCase) int { return cmp.Compare(a.ID, b.ID) })
	cs = slices.CompactFunc(cs, func(a, b ChainCase) bool { return a.ID == b.ID })
	n := len(cs)
	ids := make([]int64, n)
	for i, c := range cs {
		ids[i] = c.ID
	}
	pos := make(map[int64]int32, n)
	for i, id := range ids {
		pos[id] = int32(i)
	}
	index := func(id int64) int32 {
		if i, ok := pos[id]; ok {
			return i
		}
		return -1
	}
	var out Chains
	places := make([]CasePlace, n)
	for i, id := range ids {
		places[i].ID = id
	}
	out.Cases = places

	// The links as edges between case indexes, sorted by infector and
	// deduplicated: the infector's secondary cases are then one run.
	type edge struct{ from, to int32 }
	es := make([]edge, 0, len(links))
	for _, l := range links {
		f, t := index(l.From), index(l.To)
		if f < 0 || t < 0 {
			out.Unknown = append(out.Unknown, l)
			continue
		}
		es = append(es, edge{f, t})
	}
	slices.SortFunc(es, func(a, b edge) int {
		if a.from != b.from {
			return cmp.Compare(a.from, b.from)
		}
		return cmp.Compare(a.to, b.to)
	})
	es = slices.Compact(es)

	// Clusters: union-find whose root is always the smallest index, hence
	// the smallest case id.
	parent := make([]int32, n)
	for i := range parent {
		parent[i] = int32(i)
	}
	find := func(x int32) int32 {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	// start[u]..start[u+1] are u's edges; waiting[v] counts v's infectors not
	// yet given a generation, a self-link included, so that a self-linked case
	// never gets one.
	start := make([]int32, n+1)
	waiting := make([]int32, n)
	for _, e := range es {
		if a, b := find(e.from), find(e.to); a < b {
			parent[b] = a
		} else if b < a {
			parent[a] = b
		}
		start[e.from+1]++
		waiting[e.to]++
		if e.from != e.to {
			places[e.from].Secondary++
			places[e.to].Infectors++
		}
	}
	for i := range n {
		start[i+1] += start[i]
	}

	// Generations: Kahn's algorithm over the links. A case gets its
	// generation once all its infectors have theirs, and takes the smallest
	// of them plus one; cases it never reaches lie on or below a cycle.
	queue := make([]int32, 0, n)
	for i := range places {
		if waiting[i] == 0 {
			queue = append(queue, int32(i))
		} else {
			places[i].Generation = math.MaxInt
		}
	}
	for h := 0; h < len(queue); h++ {
		u := queue[h]
		g := places[u].Generation + 1
		for _, e := range es[start[u]:start[u+1]] {
			v := e.to
			places[v].Generation = min(places[v].Generation, g)
			if waiting[v]--; waiting[v] == 0 {
				queue = append(queue, v)
			}
		}
	}
	maxGen := 0
	for i := range places {
		p := &places[i]
		if waiting[i] > 0 {
			p.Generation = -1
			out.Cycles = append(out.Cycles, p.ID)
		}
		if p.Infectors > 1 {
			out.MultipleInfectors = append(out.MultipleInfectors, p.ID)
		}
		maxGen = max(maxGen, p.Generation)
	}

	// Contacts: bucket the case-sourced edges by case, then count the
	// distinct contacts in each bucket.
	src := make([]int32, len(contacts))
	end := make([]int32, n+1) // counts, then bucket starts, then bucket ends
	for k, c := range contacts {
		src[k] = -1
		if !c.Secondary {
			if i := index(c.Source); i >= 0 {
				src[k] = i
				end[i+1]++
			}
		}
	}
	for i := range n {
		end[i+1] += end[i]
	}
	traced := make([]int64, end[n])
	for k, i := range src {
		if i >= 0 {
			traced[end[i]] = contacts[k].Contact
			end[i]++
		}
	}
	lo := int32(0)
	for i := range places {
		b := traced[lo:end[i]]
		lo = end[i]
		slices.Sort(b)
		places[i].Contacts = len(slices.Compact(b))
	}

	// Offspring: the mean and dispersion over cases with complete follow-up.
	var m, sum, sumSq int64
	for _, p := range places {
		if p.Generation >= 0 && (p.Generation < maxGen || maxGen == 0) {
			m++
			sum += int64(p.Secondary)
			sumSq += int64(p.Secondary) * int64(p.Secondary)
		}
	}
	out.OffspringCases = int(m)
	if m > 0 {
		mean := float64(sum) / float64(m)
		out.MeanOffspring = mean
		if m > 1 {
			variance := (float64(sumSq) - float64(sum)*mean) / float64(m-1)
			if variance > mean {
				out.Dispersion = mean * mean / (variance - mean)
			}
		}
	}
	out.Threshold = superspreader
	if superspreader <= 0 {
		out.Threshold = SuperspreadingThreshold(out.MeanOffspring)
	}
	for i := range places {
		places[i].Superspreader = places[i].Secondary >= out.Threshold
	}

	// Clusters in id order: a case whose root is itself opens one. slot[i]
	// becomes the cluster of case i; a root precedes its members.
	slot := make([]int32, n)
	nc := int32(0)
	roots := 0
	for i := range n {
		r := find(int32(i))
		if r == int32(i) {
			slot[i] = nc
			nc++
		} else {
			slot[i] = slot[r]
		}
		places[i].Cluster = ids[r]
		if places[i].Generation == 0 {
			roots++
		}
	}
	clusters := make([]Cluster, nc)
	for i := range n {
		k := &clusters[slot[i]]
		if k.Size == 0 {
			k.ID, k.MaxGeneration = places[i].ID, -1
		}
		k.Size++
		k.MaxGeneration = max(k.MaxGeneration, places[i].Generation)
	}
	// Roots share one backing array, cut by cluster: count, then place
	// them in id order.
	rootEnd := make([]int32, nc+1)
	for i := range n {
		if places[i].Generation == 0 {
			rootEnd[slot[i]+1]++
		}
	}
	for s := range nc {
		rootEnd[s+1] += rootEnd[s]
	}
	flat := make([]int64, roots)
	for i := range n {
		if places[i].Generation == 0 {
			flat[rootEnd[slot[i]]] = places[i].ID
			rootEnd[slot[i]]++
		}
	}
	b := int32(0)
	for s := range clusters {
		clusters[s].Roots = flat[b:rootEnd[s]:rootEnd[s]]
		b = rootEnd[s]
	}

	// Size over time: sort (cluster, China day) keys and run through them.
	keys := make([]int64, 0, n)
	for i, c := range cs {
		if !c.Detected.IsZero() {
			y, mo, d := c.Detected.In(ChinaTime).Date()
			keys = append(keys, int64(slot[i])<<32|int64(y*10000+int(mo)*100+d))
		}
	}
	slices.Sort(keys)
	days := make([]ClusterDay, 0, len(keys))
	names := map[int64]string{}
	for j := 0; j < len(keys); {
		s := keys[j] >> 32
		b := len(days)
		total := 0
		for j < len(keys) && keys[j]>>32 == s {
			day, cnt := keys[j]&(1<<32-1), 0
			for j < len(keys) && keys[j] == s<<32|day {
				cnt++
				j++
			}
			name, ok := names[day]
			if !ok {
				name = time.Date(int(day/10000), time.Month(day/100%100), int(day%100), 0, 0, 0, 0, ChinaTime).Format(time.DateOnly)
				names[day] = name
			}
			total += cnt
			days = append(days, ClusterDay{Day: name, New: cnt, Total: total})
		}
		clusters[s].Series = days[b:len(days):len(days)]
	}
	for s := range clusters {
		if clusters[s].Series == nil {
			clusters[s].Series = days[:0:0]
		}
	}
	out.Clusters = clusters
	return out
}
