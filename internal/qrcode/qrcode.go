// Package qrcode makes QR codes for cordon's venue codes and printouts: a
// module grid for vector drawing (the PDF writer), a PNG, and an SVG to
// inline in a page. It wraps rsc.io/qr at error-correction level M, which
// survives a crumpled or partly covered poster (about 15% of the modules)
// while keeping the symbol small enough for a phone to read from a distance.
package qrcode

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"

	"rsc.io/qr"
)

// QuietZone is the white margin, in modules, that PNG and SVG put around the
// symbol and that the standard asks for; a reader needs it to find the code.
const QuietZone = 4

// Code is an encoded QR symbol: a square grid of Size × Size modules.
type Code struct {
	Size int // modules on a side, without the quiet zone
	code *qr.Code
}

// Encode encodes text at error-correction level M.
func Encode(text string) (*Code, error) {
	c, err := qr.Encode(text, qr.M)
	if err != nil {
		return nil, fmt.Errorf("qrcode: %w", err)
	}
	return &Code{Size: c.Size, code: c}, nil
}

// Black reports whether the module at column x, row y is dark. Positions
// outside the symbol (the quiet zone) are light.
func (c *Code) Black(x, y int) bool {
	return c.code.Black(x, y)
}

// PNG encodes text and draws it as a grey-scale PNG with scale pixels per
// module and the quiet zone.
func PNG(text string, scale int) ([]byte, error) {
	c, err := Encode(text)
	if err != nil {
		return nil, err
	}
	return c.PNG(scale)
}

// PNG draws the code as a grey-scale PNG with scale pixels per module and
// the quiet zone.
func (c *Code) PNG(scale int) ([]byte, error) {
	if scale < 1 || scale > 64 {
		return nil, errors.New("qrcode: the scale is 1 to 64 pixels per module")
	}
	side := (c.Size + 2*QuietZone) * scale
	img := image.NewGray(image.Rect(0, 0, side, side))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for y := 0; y < c.Size; y++ {
		for x := 0; x < c.Size; x++ {
			if !c.Black(x, y) {
				continue
			}
			x0, y0 := (x+QuietZone)*scale, (y+QuietZone)*scale
			for py := y0; py < y0+scale; py++ {
				for px := x0; px < x0+scale; px++ {
					img.SetGray(px, py, color.Gray{})
				}
			}
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// SVG encodes text and draws it as an SVG element to inline in an HTML page.
func SVG(text string) (string, error) {
	c, err := Encode(text)
	if err != nil {
		return "", err
	}
	return c.SVG(), nil
}

// SVG draws the code as one <svg> element whose user unit is a module, with
// the quiet zone on a white background. It has a viewBox but no width or
// height, so the page's CSS sizes it; shape-rendering keeps the edges crisp.
func (c *Code) SVG() string {
	side := c.Size + 2*QuietZone
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges">`, side, side)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, side, side)
	c.Runs(func(x, y, n int) {
		fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", x+QuietZone, y+QuietZone, n, n)
	})
	b.WriteString(`"/></svg>`)
	return b.String()
}

// Runs calls f for each horizontal run of dark modules, row by row: n modules
// starting at column x of row y. Drawing runs rather than single modules
// keeps vector output small and free of hairline seams.
func (c *Code) Runs(f func(x, y, n int)) {
	for y := 0; y < c.Size; y++ {
		for x := 0; x < c.Size; {
			if !c.Black(x, y) {
				x++
				continue
			}
			n := 1
			for c.Black(x+n, y) {
				n++
			}
			f(x, y, n)
			x += n
		}
	}
}
