package enroll

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"

	"github.com/skip2/go-qrcode"
	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// Card image geometry (pixels): a 640x400 card, about 85x53 mm at 190 dpi.
const (
	cardWidth  = 640
	cardHeight = 400
	qrSize     = 300 // leaves the grouped number a margin on the right
)

// CardPNG renders a printable card: a QR code of the card number, the number grouped for
// typing, the initials and Config.CardTitle. Nothing else about the person is printed.
func (s *Service) CardPNG(ctx context.Context, id string) ([]byte, error) {
	r, err := s.row(s.db.WithContext(ctx), id)
	if err != nil {
		return nil, err
	}
	initials, err := s.initials(&r)
	if err != nil {
		return nil, err
	}
	// The QR code holds the canonical digits, which is what a scanner types into the lookup.
	qr, err := qrcode.New(r.CardNumber, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("enroll: card qr: %w", err)
	}
	img := image.NewRGBA(image.Rect(0, 0, cardWidth, cardHeight))
	xdraw.Draw(img, img.Bounds(), image.White, image.Point{}, xdraw.Src)
	qrTop := (cardHeight - qrSize) / 2
	xdraw.Draw(img, image.Rect(16, qrTop, 16+qrSize, qrTop+qrSize), qr.Image(qrSize), image.Point{}, xdraw.Src)

	textLeft := 16 + qrSize + 20
	if s.cfg.CardTitle != "" {
		drawText(img, s.cfg.CardTitle, textLeft, 60, 2)
	}
	drawText(img, FormatCardNumber(r.CardNumber), textLeft, 190, 3)
	if initials != "" {
		drawInitials(img, initials, textLeft, 268)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("enroll: card png: %w", err)
	}
	return buf.Bytes(), nil
}

// drawText writes text with its baseline at y, scaled up from the 7x13 bitmap font (enough for
// digits and the ASCII title; initials have fonts of their own, cardinitials.go). Text wider
// than the card is cut.
func drawText(dst *image.RGBA, text string, x, y, scale int) {
	face := basicfont.Face7x13
	w := font.MeasureString(face, text).Ceil()
	small := image.NewRGBA(image.Rect(0, 0, w, 13))
	xdraw.Draw(small, small.Bounds(), image.White, image.Point{}, xdraw.Src)
	d := font.Drawer{Dst: small, Src: image.NewUniform(color.Black), Face: face, Dot: fixed.P(0, 10)}
	d.DrawString(text)
	xdraw.NearestNeighbor.Scale(dst, image.Rect(x, y-10*scale, x+w*scale, y+3*scale), small, small.Bounds(), xdraw.Src, nil)
}
