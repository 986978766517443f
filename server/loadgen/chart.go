package loadgen

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"
)

// series is one line of a panel.
type series struct {
	name string
	c    color.RGBA
	ys   []float64
}

// ChartPNG renders throughput (top) and latency (bottom) per second of the run as a PNG: pure Go,
// no plotting library.
func ChartPNG(r Result) ([]byte, error) {
	const w, h = 900, 620
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	var acc, conf, base, a50, a99, c50, c99 []float64
	for _, s := range r.Aidledger.Timeline {
		acc, conf = append(acc, float64(s.Accepted)), append(conf, float64(s.Confirmed))
		a50, a99, c50, c99 = append(a50, s.AcceptP50ms), append(a99, s.AcceptP99ms), append(c50, s.ConfirmP50ms), append(c99, s.ConfirmP99ms)
	}
	if r.Baseline != nil {
		for _, s := range r.Baseline.Timeline {
			base = append(base, float64(s.Confirmed))
		}
	}
	blue, green, red, gray, orange := color.RGBA{31, 119, 180, 255}, color.RGBA{44, 160, 44, 255}, color.RGBA{214, 39, 40, 255}, color.RGBA{127, 127, 127, 255}, color.RGBA{255, 127, 14, 255}
	rates := []series{{"aidledger accepted/s", blue, acc}, {"aidledger confirmed/s", green, conf}}
	if base != nil {
		rates = append(rates, series{"baseline ERC20 confirmed/s", red, base})
	}
	panel(img, image.Rect(70, 40, w-20, 290), "redemptions per second (each second of the run)", rates)
	panel(img, image.Rect(70, 350, w-20, h-40), "aidledger latency, ms (requests finishing in that second)",
		[]series{{"accepted p50", gray, a50}, {"accepted p99", blue, a99}, {"confirmed p50", orange, c50}, {"confirmed p99", green, c99}})
	text(img, w/2-60, h-10, "seconds since start", color.Black)
	var buf bytes.Buffer
	err := png.Encode(&buf, img)
	return buf.Bytes(), err
}

func panel(img *image.RGBA, r image.Rectangle, title string, ss []series) {
	text(img, r.Min.X, r.Min.Y-12, title, color.Black)
	n, top := 1, 0.0
	for _, s := range ss {
		n = max(n, len(s.ys))
		for _, y := range s.ys {
			top = max(top, y)
		}
	}
	top = niceCeil(top)
	axis := color.RGBA{0, 0, 0, 255}
	grid := color.RGBA{225, 225, 225, 255}
	for i := 0; i <= 4; i++ {
		y := r.Max.Y - i*r.Dy()/4
		line(img, r.Min.X, y, r.Max.X, y, grid)
		text(img, r.Min.X-60, y+4, fmt.Sprintf("%7.0f", top*float64(i)/4), axis)
	}
	step := max(1, n/10)
	for t := 0; t < n; t += step {
		x := r.Min.X + t*r.Dx()/max(1, n-1)
		text(img, x-6, r.Max.Y+14, fmt.Sprint(t), axis)
	}
	line(img, r.Min.X, r.Min.Y, r.Min.X, r.Max.Y, axis)
	line(img, r.Min.X, r.Max.Y, r.Max.X, r.Max.Y, axis)
	for k, s := range ss {
		lx := r.Min.X + 10 + k*(r.Dx()/len(ss))
		for d := 0; d < 3; d++ {
			line(img, lx, r.Min.Y+8+d, lx+20, r.Min.Y+8+d, s.c)
		}
		text(img, lx+24, r.Min.Y+13, s.name, s.c)
		px, py := -1, -1
		for t, v := range s.ys {
			x := r.Min.X + t*r.Dx()/max(1, n-1)
			y := r.Max.Y - int(v/top*float64(r.Dy()))
			if px >= 0 {
				line(img, px, py, x, y, s.c)
				line(img, px, py+1, x, y+1, s.c)
			}
			px, py = x, y
		}
	}
}

func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := 1.0
	for p*10 <= v {
		p *= 10
	}
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

func line(img *image.RGBA, x0, y0, x1, y1 int, c color.Color) {
	dx, dy := abs(x1-x0), -abs(y1-y0)
	sx, sy := 1, 1
	if x0 > x1 {
		sx = -1
	}
	if y0 > y1 {
		sy = -1
	}
	e := dx + dy
	for {
		img.Set(x0, y0, c)
		if x0 == x1 && y0 == y1 {
			return
		}
		e2 := 2 * e
		if e2 >= dy {
			e += dy
			x0 += sx
		}
		if e2 <= dx {
			e += dx
			y0 += sy
		}
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func text(img *image.RGBA, x, y int, s string, c color.Color) {
	d := font.Drawer{Dst: img, Src: image.NewUniform(c), Face: basicfont.Face7x13, Dot: fixed.P(x, y)}
	d.DrawString(s)
}
