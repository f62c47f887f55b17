package pdf

import "strings"

// Column is one column of a Table: its heading and its share of the width
// between the margins, relative to the other columns' Width.
type Column struct {
	Title string
	Width float64
}

// KV is one row of a key/value table.
type KV struct {
	Key, Value string
}

const (
	padX, padY = 4.0, 3.0 // inside a cell
	rule       = 0.5      // width of the ruled lines
	headShade  = 0.88     // grey of the heading row
	keyShade   = 0.94     // grey of the key column
)

// grid is the layout of a ruled table.
type grid struct {
	widths  []float64 // in points
	size    float64
	header  []string // nil for none; repeated at the top of each page
	keyCols bool     // shade the first column, as in a key/value table
}

// Table writes a grid table with ruled lines at TableSize: a shaded heading
// row, then rows whose cells wrap within their column; a row is as tall as
// its tallest cell. Rows never split: one that does not fit goes to a new
// page, which repeats the heading row. A row taller than a whole page is
// cut with "…". Missing cells are blank and extra cells are ignored.
func (d *Document) Table(cols []Column, rows [][]string) {
	if len(cols) == 0 {
		return
	}
	total := 0.0
	for _, c := range cols {
		total += max(c.Width, 0)
	}
	g := grid{size: TableSize, header: make([]string, len(cols))}
	for i, c := range cols {
		w := 1 / float64(len(cols))
		if total > 0 {
			w = max(c.Width, 0) / total
		}
		g.widths = append(g.widths, w*d.ContentWidth())
		g.header[i] = c.Title
	}
	d.grid(g, rows)
}

// KeyValues writes a two-column ruled table at BodySize, the keys in a
// shaded column a quarter of the width, the values wrapping beside them;
// it breaks pages between rows like Table.
func (d *Document) KeyValues(rows []KV) {
	g := grid{size: BodySize, keyCols: true, widths: []float64{d.ContentWidth() / 4, d.ContentWidth() * 3 / 4}}
	cells := make([][]string, len(rows))
	for i, r := range rows {
		cells[i] = []string{r.Key, r.Value}
	}
	d.grid(g, cells)
}

func (d *Document) grid(g grid, rows [][]string) {
	lh := g.size * 1.35
	maxH := PageHeight - d.Margins.Top - d.Margins.Bottom
	var head [][]string
	headH := 0.0
	if g.header != nil {
		head, headH = g.layout(g.header, lh, maxH/2)
		maxH -= headH
	}
	if len(rows) == 0 && head != nil {
		d.need(headH)
		d.row(g, head, headH, lh, true)
	}
	for i, row := range rows {
		cells, h := g.layout(row, lh, maxH)
		top := i == 0 // of the table or of a page: the heading row goes first
		if top && !d.Fits(headH+h) || !top && !d.Fits(h) {
			d.AddPage()
			top = true
		}
		if top && head != nil {
			d.row(g, head, headH, lh, true)
		}
		d.row(g, cells, h, lh, false)
	}
	d.y += g.size
}

// layout wraps each cell of row to its column and returns the lines and
// the row's height, cutting cells so that the row is at most maxH tall.
func (g grid) layout(row []string, lh, maxH float64) ([][]string, float64) {
	most := max(int((maxH-2*padY)/lh), 1)
	cells := make([][]string, len(g.widths))
	n := 1
	for i, w := range g.widths {
		s := ""
		if i < len(row) {
			s = row[i]
		}
		lines := Wrap(g.size, w-2*padX, s)
		if len(lines) > most {
			lines = lines[:most]
			last := []rune(lines[most-1])
			for len(last) > 0 && Width(g.size, string(last)+"…") > w-2*padX {
				last = last[:len(last)-1]
			}
			lines[most-1] = strings.TrimRight(string(last), " ") + "…"
		}
		cells[i] = lines
		n = max(n, len(lines))
	}
	return cells, float64(n)*lh + 2*padY
}

// row draws one row of ruled cells at the flow cursor and moves below it.
func (d *Document) row(g grid, cells [][]string, h, lh float64, heading bool) {
	x := d.Margins.Left
	for i, w := range g.widths {
		switch {
		case heading:
			d.FillRect(x, d.y, w, h, headShade)
		case g.keyCols && i == 0:
			d.FillRect(x, d.y, w, h, keyShade)
		}
		d.Rect(x, d.y, w, h, rule)
		for j, line := range cells[i] {
			d.text(x+padX, d.y+padY+float64(j)*lh+(lh-g.size)/2, g.size, line, heading)
		}
		x += w
	}
	d.y += h
}
