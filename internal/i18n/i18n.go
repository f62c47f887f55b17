// Package i18n translates cordon's pages. The catalogs are flat JSON files,
// one per language, embedded in the binary: zh-CN is the default and English
// is complete too. Keys are stable dotted names ("persons.title"), and every
// error code that internal/app can return has a key "error.<code>", so a
// page can show any domain error in the reader's language. Tests fail when a
// catalog lacks a key that another has, that a template uses, or that an
// error code needs.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"log/slog"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Default is the language of a reader who has not said otherwise.
const Default = "zh-CN"

//go:embed catalog/*.json
var catalogFiles embed.FS

// Catalog holds the messages of every language. Build it once with New and
// share it: it is safe for concurrent use.
type Catalog struct {
	langs    []string                     // Default first, then the others sorted
	messages map[string]map[string]string // lang -> key -> message
	log      *slog.Logger
	missing  sync.Map // "lang\x00key" of missing keys already logged
}

// New loads the embedded catalogs. log receives one line per missing key
// looked up at run time; nil discards them.
func New(log *slog.Logger) (*Catalog, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Catalog{messages: map[string]map[string]string{}, log: log}
	names, err := fs.Glob(catalogFiles, "catalog/*.json")
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		b, err := catalogFiles.ReadFile(name)
		if err != nil {
			return nil, err
		}
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("i18n: %s: %w", name, err)
		}
		lang := strings.TrimSuffix(path.Base(name), ".json")
		c.messages[lang] = m
		if lang != Default {
			c.langs = append(c.langs, lang)
		}
	}
	if _, ok := c.messages[Default]; !ok {
		return nil, fmt.Errorf("i18n: no catalog for the default language %s", Default)
	}
	slices.Sort(c.langs)
	c.langs = append([]string{Default}, c.langs...)
	return c, nil
}

// Languages lists the languages the catalog speaks, the default first.
func (c *Catalog) Languages() []string { return slices.Clone(c.langs) }

// Keys lists the keys of one language's catalog, sorted.
func (c *Catalog) Keys(lang string) []string {
	keys := make([]string, 0, len(c.messages[lang]))
	for k := range c.messages[lang] {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Has reports whether the language has a message for key.
func (c *Catalog) Has(lang, key string) bool {
	_, ok := c.messages[lang][key]
	return ok
}

// T translates key into lang, formatting args into the message fmt-style
// when there are any. An unknown language falls back to Default. A missing
// key renders as the key itself, so that a page still works, and is logged
// once.
func (c *Catalog) T(lang, key string, args ...any) string {
	m, ok := c.messages[lang]
	if !ok {
		lang, m = Default, c.messages[Default]
	}
	msg, ok := m[key]
	if !ok {
		if _, seen := c.missing.LoadOrStore(lang+"\x00"+key, struct{}{}); !seen {
			c.log.Warn("i18n: missing translation", "lang", lang, "key", key)
		}
		return key
	}
	if len(args) == 0 {
		return msg
	}
	return fmt.Sprintf(msg, args...)
}

// Match returns the supported language that a language tag asks for: the
// same tag ignoring case, or one with the same primary language ("en-GB"
// gets "en"; any Chinese gets zh-CN, the only Chinese there is).
func (c *Catalog) Match(tag string) (string, bool) {
	tag = strings.TrimSpace(strings.ReplaceAll(tag, "_", "-"))
	if tag == "" || tag == "*" {
		return "", false
	}
	for _, l := range c.langs {
		if strings.EqualFold(l, tag) {
			return l, true
		}
	}
	primary, _, _ := strings.Cut(tag, "-")
	for _, l := range c.langs {
		lp, _, _ := strings.Cut(l, "-")
		if strings.EqualFold(lp, primary) {
			return l, true
		}
	}
	return "", false
}

// Lang chooses the page language: an explicit choice (the reader's cookie
// or account setting) when it is supported, else the best supported
// language of the Accept-Language header, else Default.
func (c *Catalog) Lang(explicit, acceptLanguage string) string {
	if l, ok := c.Match(explicit); ok {
		return l
	}
	type choice struct {
		tag string
		q   float64
	}
	var choices []choice
	for part := range strings.SplitSeq(acceptLanguage, ",") {
		tag, params, _ := strings.Cut(part, ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil {
				continue
			}
			q = f
		}
		if q > 0 {
			choices = append(choices, choice{strings.TrimSpace(tag), q})
		}
		if len(choices) == 32 {
			break // a longer header is noise or an attack
		}
	}
	slices.SortStableFunc(choices, func(a, b choice) int {
		switch {
		case a.q > b.q:
			return -1
		case a.q < b.q:
			return 1
		}
		return 0
	})
	for _, ch := range choices {
		if l, ok := c.Match(ch.tag); ok {
			return l
		}
	}
	return Default
}
