package enroll

import (
	_ "embed"
	"image"
	"image/color"
	"slices"
	"sync"
	"unicode"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

//go:embed cardfont/NotoSansArabic-Bold.ttf
var arabicTTF []byte

// initialsSize is the initials' font size in pixels: as tall as the card number's digits.
const initialsSize = 40

// initialsFaces are the faces the initials are drawn with, the first that has a letter's glyph
// winning: most holders in the camps this is for write their names in Arabic script, which the
// card's pixel font lacks (it drew "?. ?."); Go Bold covers Latin, Greek and Cyrillic.
var initialsFaces = sync.OnceValue(func() []font.Face {
	var faces []font.Face
	for _, ttf := range [][]byte{arabicTTF, gobold.TTF} {
		f, err := opentype.Parse(ttf)
		if err != nil {
			panic("enroll: card font: " + err.Error()) // embedded: cannot fail but by a broken build
		}
		face, err := opentype.NewFace(f, &opentype.FaceOptions{Size: initialsSize, DPI: 72, Hinting: font.HintingFull})
		if err != nil {
			panic("enroll: card font: " + err.Error())
		}
		faces = append(faces, face)
	}
	return faces
})

// faceFor is the first face with a glyph for r, or nil.
func faceFor(r rune) font.Face {
	for _, f := range initialsFaces() {
		if _, ok := f.GlyphAdvance(r); ok {
			return f
		}
	}
	return nil
}

// visualOrder is the order in which the initials' runes are drawn from left to right. Initials
// of a name in a right-to-left script read from the right: "ف. ا." is drawn ".ا .ف". Each
// initial is an isolated letter, so no shaping is needed.
func visualOrder(initials string) []rune {
	rs := []rune(initials)
	for _, r := range rs {
		if unicode.IsLetter(r) {
			if unicode.In(r, unicode.Arabic, unicode.Hebrew, unicode.Syriac, unicode.Thaana) {
				slices.Reverse(rs)
			}
			break
		}
	}
	return rs
}

// drawInitials writes the initials with their baseline at y from x; a letter no face has is
// left out rather than drawn as a placeholder.
func drawInitials(dst *image.RGBA, initials string, x, y int) {
	dot := fixed.P(x, y)
	for _, r := range visualOrder(initials) {
		if r == ' ' { // the faces' spaces differ, and the Arabic one is narrow
			dot.X += fixed.I(initialsSize / 3)
			continue
		}
		f := faceFor(r)
		if f == nil {
			continue
		}
		d := font.Drawer{Dst: dst, Src: image.NewUniform(color.Black), Face: f, Dot: dot}
		d.DrawString(string(r))
		dot = d.Dot
	}
}
