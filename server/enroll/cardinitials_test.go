package enroll

import (
	"image"
	"image/color"
	"image/draw"
	"testing"
)

func TestDrawInitials_DrawsEveryLetterOfArabicLatinAndCyrillicNames(t *testing.T) {
	tests := []struct {
		name, initials, visual string
	}{
		{"Arabic, read from the right", "ف. ا.", ".ا .ف"},
		{"Latin", "A. H.", "A. H."},
		{"Latin with an accent", "É. Ç.", "É. Ç."},
		{"Cyrillic", "Ж. Б.", "Ж. Б."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(visualOrder(tt.initials)); got != tt.visual {
				t.Errorf("drawn as %q, want %q", got, tt.visual)
			}
			for _, r := range tt.initials {
				if r != ' ' && faceFor(r) == nil {
					t.Errorf("no glyph for %q", r)
				}
			}
			// Each letter leaves ink of its own: a placeholder would be the same for all.
			inked := func(s string) int {
				img := image.NewRGBA(image.Rect(0, 0, 300, 60))
				draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
				drawInitials(img, s, 4, 48)
				n := 0
				for y := range 60 {
					for x := range 300 {
						if c := img.RGBAAt(x, y); c != (color.RGBA{255, 255, 255, 255}) {
							n++
						}
					}
				}
				return n
			}
			if n := inked(tt.initials); n < 100 {
				t.Errorf("%d pixels inked: the letters were not drawn", n)
			}
		})
	}
	if faceFor('\U0001F600') != nil {
		t.Error("an emoji has a glyph: the test of missing glyphs tests nothing")
	}
}
