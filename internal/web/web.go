// Package web serves cordon's staff pages: server-rendered HTML over
// internal/app, in zh-CN (the default) and English, laid out for a phone
// first. It owns every path outside /api. Pages read and change data only
// through app, which authorises each call; the pages merely hide what the
// role cannot do and show app's errors in the reader's language.
//
// Templates and static files are embedded; templates are parsed once per
// language in New, which fails when one does not parse. Front-end libraries
// (htmx, idb-keyval, @zxing/browser, echarts) are bundled from npm by
// scripts/assets.sh into static/vendor/, which is not committed: every page
// works without them, the sampler page with one form post per person.
package web

import (
	"errors"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"cordon/internal/app"
	"cordon/internal/i18n"
)

// Options configure the pages.
type Options struct {
	// Secure marks cookies Secure: set it whenever the site is served over
	// HTTPS, which is always outside a developer's machine.
	Secure bool
	// Log receives errors and the requests that fail; nil discards them.
	Log *slog.Logger
	// Version is shown in the page footer, so that staff can tell support
	// which build they run.
	Version string
	// Now is the clock that says whether a sampling point is open now;
	// time.Now when nil.
	Now func() time.Time
}

// server holds what every page handler needs. It is built once by New and
// read-only afterwards.
type server struct {
	app    *app.App
	opt    Options
	log    *slog.Logger
	cat    *i18n.Catalog
	pages  map[string]map[string]*template.Template // page -> language -> templates
	assets *assets
}

// chinaTime is the zone pages show times in and read dates in: the
// platform serves Chinese authorities, who all keep Beijing time.
var chinaTime = time.FixedZone("CST", 8*60*60)

// New builds the handler of the staff pages over the application.
func New(a *app.App, opt Options) (http.Handler, error) {
	if a == nil {
		return nil, errors.New("web: an app is required")
	}
	if opt.Log == nil {
		opt.Log = slog.New(slog.DiscardHandler)
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	cat, err := i18n.New(opt.Log)
	if err != nil {
		return nil, err
	}
	as, err := loadAssets()
	if err != nil {
		return nil, err
	}
	s := &server{app: a, opt: opt, log: opt.Log, cat: cat, assets: as}
	if s.pages, err = s.parseTemplates(); err != nil {
		return nil, err
	}
	return s.handler(), nil
}
