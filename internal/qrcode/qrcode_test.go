package qrcode

import (
	"bytes"
	"cordon/internal/testtool"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// zbarimg returns the path of the real QR decoder. Without it the decoding
// tests skip loudly on a developer's machine and fail under CI, where
// scripts/setup.sh installs zbar-tools.
func zbarimg(t *testing.T) string { return testtool.Path(t, "zbarimg") }

func decode(t *testing.T, pngData []byte) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "code.png")
	if err := os.WriteFile(file, pngData, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(zbarimg(t), "--quiet", "--raw", file).Output()
	if err != nil {
		t.Fatalf("zbarimg %s: %v", file, err)
	}
	return strings.TrimSuffix(string(out), "\n")
}

func TestPNGDecodes(t *testing.T) {
	zbarimg(t)
	for _, text := range []string{
		"https://cordon.example/v/4510240001?k=7Q2X",
		"CORDON:VENUE:451024-000123",
		"0123456789",
		"德保县城关镇 场所码 451024",
		strings.Repeat("long venue name ", 40),
	} {
		data, err := PNG(text, 4)
		if err != nil {
			t.Fatal(err)
		}
		if got := decode(t, data); got != text {
			t.Errorf("decoded %q, want %q", got, text)
		}
	}
}

func TestPNGGeometry(t *testing.T) {
	c, err := Encode("hello")
	if err != nil {
		t.Fatal(err)
	}
	data, err := c.PNG(3)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	want := (c.Size + 2*QuietZone) * 3
	if b := img.Bounds(); b.Dx() != want || b.Dy() != want {
		t.Fatalf("image is %v, want %d×%d", b, want, want)
	}
	for y := -QuietZone; y < c.Size+QuietZone; y++ {
		for x := -QuietZone; x < c.Size+QuietZone; x++ {
			r, _, _, _ := img.At((x+QuietZone)*3+1, (y+QuietZone)*3+1).RGBA()
			if dark := r < 0x8000; dark != c.Black(x, y) {
				t.Fatalf("module (%d,%d): pixel dark=%v, code black=%v", x, y, dark, c.Black(x, y))
			}
		}
	}
	if _, err := c.PNG(0); err == nil {
		t.Error("scale 0 was accepted")
	}
}

func TestEncodeTooLong(t *testing.T) {
	if _, err := Encode(strings.Repeat("汉", 2000)); err == nil {
		t.Fatal("6000 bytes were encoded; a QR symbol holds at most 2331 bytes at level M")
	}
}

// TestSVGMatchesModules parses the path back into a grid and compares it
// with the code, module by module.
func TestSVGMatchesModules(t *testing.T) {
	text := "https://cordon.example/v/1"
	c, err := Encode(text)
	if err != nil {
		t.Fatal(err)
	}
	svg, err := SVG(text)
	if err != nil {
		t.Fatal(err)
	}
	side := c.Size + 2*QuietZone
	if !strings.HasPrefix(svg, fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d"`, side, side)) {
		t.Fatalf("svg starts %.100q", svg)
	}
	d := regexp.MustCompile(` d="([^"]*)"`).FindStringSubmatch(svg)
	if d == nil {
		t.Fatal("no path data")
	}
	grid := make([][]bool, side)
	for i := range grid {
		grid[i] = make([]bool, side)
	}
	runs := regexp.MustCompile(`M(\d+) (\d+)h(\d+)v1h-(\d+)z`).FindAllStringSubmatch(d[1], -1)
	if got := len(strings.Join(flatten(runs), "")); got != len(d[1]) {
		t.Fatalf("path data has parts that are not runs: %q", d[1])
	}
	for _, r := range runs {
		x, _ := strconv.Atoi(r[1])
		y, _ := strconv.Atoi(r[2])
		n, _ := strconv.Atoi(r[3])
		for i := 0; i < n; i++ {
			grid[y][x+i] = true
		}
	}
	for y := 0; y < side; y++ {
		for x := 0; x < side; x++ {
			if grid[y][x] != c.Black(x-QuietZone, y-QuietZone) {
				t.Fatalf("svg module (%d,%d) = %v, code says %v", x, y, grid[y][x], !grid[y][x])
			}
		}
	}
}

func flatten(m [][]string) []string {
	var s []string
	for _, r := range m {
		s = append(s, r[0])
	}
	return s
}
