package evaluation

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"math"

	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"github.com/xinfang/xinfang/analytics"
)

// The charts are drawn pixel by pixel with the standard image packages and
// basicfont's ASCII face (the report around them carries the Chinese
// labels), so the binary needs no font files and no plotting library.

const (
	chartWidth  = 960
	chartHeight = 420
	// Plot area margins: room for the title, the axis labels and the legend.
	marginLeft   = 64
	marginRight  = 24
	marginTop    = 48
	marginBottom = 64
)

var (
	colorBackground = color.RGBA{255, 255, 255, 255}
	colorAxis       = color.RGBA{60, 60, 60, 255}
	colorGrid       = color.RGBA{225, 225, 225, 255}
	colorText       = color.RGBA{30, 30, 30, 255}
	colorReceived   = color.RGBA{31, 119, 180, 255}
	colorResponded  = color.RGBA{44, 160, 44, 255}
	colorBar        = color.RGBA{255, 127, 14, 255}
	colorTarget     = color.RGBA{214, 39, 40, 255}
)

// canvas is a chart being drawn.
type canvas struct {
	img                        *image.RGBA
	left, right, top, bottom   int // the plot area
	title                      string
	buckets                    int
	yMax                       float64
	yLabel                     func(float64) string
	xLabels                    []string
	xLabelEvery, yGridDivision int
}

func newCanvas(title string, points []analytics.TrendPoint, gran analytics.Granularity, yMax float64, yLabel func(float64) string) *canvas {
	img := image.NewRGBA(image.Rect(0, 0, chartWidth, chartHeight))
	draw.Draw(img, img.Bounds(), &image.Uniform{colorBackground}, image.Point{}, draw.Src)
	c := &canvas{img: img, left: marginLeft, right: chartWidth - marginRight, top: marginTop,
		bottom: chartHeight - marginBottom, title: title, buckets: len(points), yMax: yMax, yLabel: yLabel,
		yGridDivision: 5}
	layout := "01-02"
	if gran == analytics.Month {
		layout = "2006-01"
	}
	for _, p := range points {
		c.xLabels = append(c.xLabels, p.Start.Format(layout))
	}
	// Keep x labels apart: each needs about 7 px a character plus a gap.
	c.xLabelEvery = 1
	if c.buckets > 0 {
		room := (c.right - c.left) / c.buckets
		for room*c.xLabelEvery < 8*len(layout) {
			c.xLabelEvery++
		}
	}
	return c
}

// frame draws the title, the grid, the axes and their labels.
func (c *canvas) frame() {
	c.text(c.left, 24, c.title, colorText)
	for i := 0; i <= c.yGridDivision; i++ {
		v := c.yMax * float64(i) / float64(c.yGridDivision)
		y := c.y(v)
		c.hline(c.left, c.right, y, colorGrid)
		label := c.yLabel(v)
		c.text(c.left-8-7*len(label), y+4, label, colorText)
	}
	c.hline(c.left, c.right, c.bottom, colorAxis)
	c.vline(c.left, c.top, c.bottom, colorAxis)
	for i, label := range c.xLabels {
		if i%c.xLabelEvery != 0 {
			continue
		}
		x := c.x(i)
		c.vline(x, c.bottom, c.bottom+4, colorAxis)
		c.text(x-7*len(label)/2, c.bottom+18, label, colorText)
	}
	if c.buckets == 0 {
		c.text((c.left+c.right)/2-35, (c.top+c.bottom)/2, "no data", colorText)
	}
}

// x is the centre of bucket i.
func (c *canvas) x(i int) int {
	if c.buckets == 0 {
		return c.left
	}
	slot := float64(c.right-c.left) / float64(c.buckets)
	return c.left + int(slot*(float64(i)+0.5))
}

func (c *canvas) y(v float64) int {
	if c.yMax <= 0 {
		return c.bottom
	}
	return c.bottom - int(math.Round(float64(c.bottom-c.top)*v/c.yMax))
}

func (c *canvas) hline(x0, x1, y int, col color.Color) {
	for x := x0; x <= x1; x++ {
		c.img.Set(x, y, col)
	}
}

func (c *canvas) vline(x, y0, y1 int, col color.Color) {
	for y := y0; y <= y1; y++ {
		c.img.Set(x, y, col)
	}
}

// line draws a 2-pixel-thick segment (Bresenham, doubled vertically).
func (c *canvas) line(x0, y0, x1, y1 int, col color.Color) {
	dx, dy := abs(x1-x0), -abs(y1-y0)
	sx, sy := sign(x1-x0), sign(y1-y0)
	err := dx + dy
	for {
		c.img.Set(x0, y0, col)
		c.img.Set(x0, y0+1, col)
		if x0 == x1 && y0 == y1 {
			return
		}
		e2 := 2 * err
		if e2 >= dy {
			err += dy
			x0 += sx
		}
		if e2 <= dx {
			err += dx
			y0 += sy
		}
	}
}

func (c *canvas) rect(x0, y0, x1, y1 int, col color.Color) {
	draw.Draw(c.img, image.Rect(x0, y0, x1, y1), &image.Uniform{col}, image.Point{}, draw.Src)
}

func (c *canvas) text(x, y int, s string, col color.Color) {
	d := font.Drawer{Dst: c.img, Src: image.NewUniform(col), Face: basicfont.Face7x13, Dot: fixed.P(x, y)}
	d.DrawString(s)
}

// legend draws coloured keys in the bottom margin.
func (c *canvas) legend(entries ...legendEntry) {
	x := c.left
	y := chartHeight - 20
	for _, e := range entries {
		c.rect(x, y-9, x+14, y+1, e.color)
		c.text(x+20, y, e.label, colorText)
		x += 20 + 7*len(e.label) + 24
	}
}

type legendEntry struct {
	label string
	color color.Color
}

func (c *canvas) png() ([]byte, error) {
	var buf bytes.Buffer
	if err := png.Encode(&buf, c.img); err != nil {
		return nil, fmt.Errorf("encode chart: %w", err)
	}
	return buf.Bytes(), nil
}

// trendChart is a line chart of cases received and responded per bucket.
func trendChart(points []analytics.TrendPoint, gran analytics.Granularity) ([]byte, error) {
	peak := int64(0)
	for _, p := range points {
		peak = max(peak, p.Received, p.Responded)
	}
	yMax := niceCeiling(float64(peak))
	c := newCanvas(fmt.Sprintf("Cases received and responded per %s", granularityWord(gran)), points, gran, yMax,
		func(v float64) string { return fmt.Sprintf("%.0f", v) })
	c.frame()
	series := []struct {
		color color.Color
		value func(analytics.TrendPoint) int64
	}{
		{colorReceived, func(p analytics.TrendPoint) int64 { return p.Received }},
		{colorResponded, func(p analytics.TrendPoint) int64 { return p.Responded }},
	}
	for _, s := range series {
		for i, p := range points {
			x, y := c.x(i), c.y(float64(s.value(p)))
			c.rect(x-3, y-3, x+4, y+4, s.color)
			if i > 0 {
				c.line(c.x(i-1), c.y(float64(s.value(points[i-1]))), x, y, s.color)
			}
		}
	}
	c.legend(legendEntry{"received", colorReceived}, legendEntry{"responded", colorResponded})
	return c.png()
}

// withinLimitChart is a bar chart of the share answered within the time
// limit per bucket, with the target (every case) as a line.
func withinLimitChart(points []analytics.TrendPoint, gran analytics.Granularity) ([]byte, error) {
	c := newCanvas(fmt.Sprintf("Share responded within the time limit per %s", granularityWord(gran)), points, gran, 1,
		func(v float64) string { return fmt.Sprintf("%.0f%%", v*100) })
	c.frame()
	if c.buckets > 0 {
		slot := (c.right - c.left) / c.buckets
		half := max(1, slot*3/8)
		for i, p := range points {
			x := c.x(i)
			if p.Responded > 0 {
				c.rect(x-half, c.y(math.Min(1, math.Max(0, p.WithinLimitShare))), x+half, c.bottom, colorBar)
			}
		}
	}
	for x := c.left; x <= c.right; x += 8 {
		c.hline(x, min(x+4, c.right), c.y(withinLimitTarget), colorTarget)
	}
	c.legend(legendEntry{"within the limit", colorBar}, legendEntry{"target 100%", colorTarget})
	return c.png()
}

func granularityWord(g analytics.Granularity) string {
	if g == analytics.Month {
		return "month"
	}
	return "week"
}

// niceCeiling rounds up to 1, 2 or 5 times a power of ten, at least 5, so
// that five grid lines fall on round numbers.
func niceCeiling(v float64) float64 {
	if v <= 5 {
		return 5
	}
	pow := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*pow >= v {
			return m * pow
		}
	}
	return 10 * pow
}

func abs(v int) int {
	if v < 0 {
		return -v
	}
	return v
}

func sign(v int) int {
	switch {
	case v < 0:
		return -1
	case v > 0:
		return 1
	}
	return 0
}
