package web

import (
	"bytes"
	"cmp"
	"cordon/internal/linelist"
	"io"
	"net/http"
	"slices"
	"strconv"

	"cordon"
	"cordon/internal/app"
)

// chainsPage is the transmission chains of the account's subtree: a graph
// that static/chains.js draws from /chains.json, and below it the same as
// lists, which are the page's record and all there is without the script.
type chainsPage struct {
	page
	Chains app.ChainView
	// Clusters are the clusters of two cases or more, largest first; a
	// case without links is sporadic and counted in Sporadic instead.
	Clusters []cordon.Cluster
	Sporadic int
	Cases    []chainRow
}

// chainRow is one case's place in the chains, with its classification.
type chainRow struct {
	cordon.CasePlace
	Classification cordon.Classification
	// Clustered is set when the case's cluster holds other cases.
	Clustered bool
}

func (s *server) chains(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	cv, err := s.app.Chains(r.Context(), v.actor)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := chainsPage{page: s.newPage(r, "chains.title", "chains"), Chains: cv}
	d.Scripts = []string{"vendor/echarts.min.js", "chains.js"}
	size := make(map[int64]int, len(cv.Clusters))
	for _, k := range cv.Clusters {
		size[k.ID] = k.Size
		if k.Size > 1 {
			d.Clusters = append(d.Clusters, k)
		} else {
			d.Sporadic++
		}
	}
	slices.SortStableFunc(d.Clusters, func(a, b cordon.Cluster) int { return cmp.Compare(b.Size, a.Size) })
	class := make(map[int64]cordon.Classification, len(cv.Nodes))
	for _, n := range cv.Nodes {
		class[n.ID] = n.Classification
	}
	d.Cases = make([]chainRow, 0, len(cv.Cases))
	for _, c := range cv.Cases {
		d.Cases = append(d.Cases, chainRow{CasePlace: c, Classification: class[c.ID], Clustered: size[c.Cluster] > 1})
	}
	s.render(w, r, http.StatusOK, "chains", d)
}

// chainsJSON answers the chain page's script with the chains as app
// builds them: the nodes (no personal data), the links with their evidence
// and confidence, and every case's place. The session and the role decide
// what it holds, as for the page.
func (s *server) chainsJSON(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	cv, err := s.app.Chains(r.Context(), v.actor)
	if err != nil {
		s.writeJSONError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, cv)
}

// chainExport downloads one cluster as a table (XLSX, or CSV with
// ?format=csv).
func (s *server) chainExport(w http.ResponseWriter, r *http.Request) {
	v := s.visitOf(r)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.notFound(w, r)
		return
	}
	s.lineList(w, r, "chain-"+strconv.FormatInt(id, 10), func(format string, w io.Writer) error {
		return s.app.ChainExport(r.Context(), v.actor, id, format, w)
	})
}

// lineList sends a table download in the ?format asked for (XLSX by
// default), written whole first so that an error is still a page.
func (s *server) lineList(w http.ResponseWriter, r *http.Request, name string, write func(format string, w io.Writer) error) {
	format := r.URL.Query().Get("format")
	if format == "" {
		format = linelist.XLSX
	}
	var buf bytes.Buffer
	if err := write(format, &buf); err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", linelist.ContentType(format))
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.`+format+`"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}
