package poster

import (
	"bytes"
	"cordon/internal/testtool"
	"crypto/ed25519"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"cordon"
)

// tool returns the path of a command-line tool the tests check the poster
// with (poppler-utils, zbar-tools). Without it they skip loudly on a
// developer's machine and fail under CI, where scripts/setup.sh installs it.
func tool(t *testing.T, name string) string { return testtool.Path(t, name) }

func run(t *testing.T, name string, args ...string) string { return testtool.Run(t, name, args...) }

// save writes the poster to a temporary file and returns its path and
// its page count.
func save(t *testing.T, p Poster) (string, int) {
	t.Helper()
	d, err := p.Document()
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if _, err := d.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "poster.pdf")
	if err := os.WriteFile(file, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return file, d.Pages()
}

// market is the poster of a real-looking venue with a signed code.
func market(t *testing.T) Poster {
	t.Helper()
	_, key, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	v := cordon.Venue{ID: 123, Name: "德保县城关镇农贸市场", Category: cordon.VenueMarket, Jurisdiction: "451024100",
		Address: "德保县城关镇云山路 18 号", CodeSerial: 2, Active: true}
	return Poster{Venue: v, Category: "农贸市场", Place: "广西壮族自治区百色市德保县城关镇",
		URL:     "https://cordon.example/s/" + cordon.SignVenueCode(key, v.ID, v.CodeSerial),
		Printed: time.Date(2022, 2, 5, 1, 30, 0, 0, time.UTC)}
}

// TestPosterDecodes prints the poster to pixels and reads the QR code back
// with zbarimg: it must give exactly the scan-in URL.
func TestPosterDecodes(t *testing.T) {
	tool(t, "pdftoppm")
	tool(t, "zbarimg")
	p := market(t)
	file, pages := save(t, p)
	if pages != 1 {
		t.Fatalf("the poster has %d pages", pages)
	}
	prefix := filepath.Join(t.TempDir(), "page")
	run(t, "pdftoppm", "-r", "100", "-png", "-singlefile", file, prefix)
	got := strings.TrimSuffix(run(t, "zbarimg", "--quiet", "--raw", prefix+".png"), "\n")
	if got != p.URL {
		t.Fatalf("zbarimg read %q, want %q", got, p.URL)
	}
}

// TestPosterText checks what the poster says, as pdftotext extracts it.
func TestPosterText(t *testing.T) {
	p := market(t)
	file, _ := save(t, p)
	text := strings.Join(strings.Fields(run(t, "pdftotext", "-enc", "UTF-8", file, "-")), " ")
	for _, want := range []string{"场所码", "德保县城关镇农贸市场", "农贸市场", "德保县城关镇云山路 18 号", "广西壮族自治区百色市德保县城关镇",
		"请使用手机扫码登记", "进入场所请主动扫码，配合疫情防控", "场所编号 123 · 场所码第 2 版 · 打印日期 2022-02-05"} {
		if !strings.Contains(text, want) {
			t.Errorf("the poster lacks %q:\n%s", want, text)
		}
	}
	info := run(t, "pdfinfo", file)
	if !strings.Contains(info, "Title:           场所码 德保县城关镇农贸市场\n") || !strings.Contains(info, "(A4)") {
		t.Errorf("pdfinfo:\n%s", info)
	}
}

// TestPosterLongestVenue keeps the longest name and address the venue
// form allows on one page, and the code still reads.
func TestPosterLongestVenue(t *testing.T) {
	tool(t, "pdftoppm")
	tool(t, "zbarimg")
	p := market(t)
	p.Venue.Name = strings.Repeat("德保县城关镇农贸市场", 10)
	p.Venue.Address = strings.Repeat("德保县城关镇云山路十八号", 17)[:600] // 200 characters
	file, pages := save(t, p)
	if pages != 1 {
		t.Fatalf("the longest venue's poster has %d pages", pages)
	}
	prefix := filepath.Join(t.TempDir(), "page")
	run(t, "pdftoppm", "-r", "100", "-png", "-singlefile", file, prefix)
	if got := strings.TrimSuffix(run(t, "zbarimg", "--quiet", "--raw", prefix+".png"), "\n"); got != p.URL {
		t.Fatalf("zbarimg read %q, want %q", got, p.URL)
	}
}

func TestPosterRefusesTooLongText(t *testing.T) {
	p := market(t)
	p.URL = strings.Repeat("x", 5000)
	if _, err := p.Document(); err == nil {
		t.Fatal("a URL no QR code holds made a poster")
	}
}
