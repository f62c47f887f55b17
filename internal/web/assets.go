package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

// staticFiles holds the committed CSS and JavaScript, and vendor/ with the
// libraries that scripts/assets.sh bundles from npm when it has been run.
//
//go:embed static
var staticFiles embed.FS

// assets serves the static files under content-hashed names, so that a
// browser may cache each one for a year and still never see a stale one.
type assets struct {
	byName   map[string]string // "app.css" -> "app.1a2b3c4d.css"
	byHashed map[string]asset  // "app.1a2b3c4d.css" -> file
}

type asset struct {
	name string
	body []byte
}

// loadAssets hashes every embedded static file.
func loadAssets() (*assets, error) {
	a := &assets{byName: map[string]string{}, byHashed: map[string]asset{}}
	root, err := fs.Sub(staticFiles, "static")
	if err != nil {
		return nil, err
	}
	err = fs.WalkDir(root, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(root, name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		hashed := hashedName(name, hex.EncodeToString(sum[:4]))
		a.byName[name] = hashed
		a.byHashed[hashed] = asset{name: name, body: body}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: static files: %w", err)
	}
	return a, nil
}

// hashedName puts the hash before the last extension: vendor/htmx.min.js
// becomes vendor/htmx.min.1a2b3c4d.js.
func hashedName(name, hash string) string {
	ext := path.Ext(name)
	return strings.TrimSuffix(name, ext) + "." + hash + ext
}

// url is the template function asset: the URL of a static file by its
// plain name. A vendor library that was not built is "" (pages leave it
// out and work without it); any other unknown name is an error, which a
// test that renders every page catches.
func (a *assets) url(name string) (string, error) {
	if h, ok := a.byName[name]; ok {
		return "/static/" + h, nil
	}
	if strings.HasPrefix(name, "vendor/") {
		return "", nil
	}
	return "", fmt.Errorf("no static file %q", name)
}

// serveAsset serves a static file by its hashed name, cacheable for ever.
func (s *server) serveAsset(w http.ResponseWriter, r *http.Request) {
	f, ok := s.assets.byHashed[r.PathValue("file")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Cache-Control", "public, max-age=31536000, immutable")
	if ct := mime.TypeByExtension(path.Ext(f.name)); ct != "" {
		h.Set("Content-Type", ct)
	}
	h.Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, f.name, time.Time{}, bytes.NewReader(f.body))
}

// favicon answers browsers that ask for /favicon.ico before reading the
// page's icon link.
func (s *server) favicon(w http.ResponseWriter, r *http.Request) {
	u, err := s.assets.url("favicon.svg")
	if err != nil {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=86400")
	http.Redirect(w, r, u, http.StatusMovedPermanently)
}
