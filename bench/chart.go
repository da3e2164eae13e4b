package main

import (
	"fmt"
	"html"
	"math"
	"strings"
)

// A panel is one bar chart of ratios to direct, one bar per target.
type panel struct {
	title  string
	target float64 // goinit's target, drawn as a line
	bars   []bar
}

type bar struct {
	name  string
	value float64
}

// Layout of the chart, in SVG units.
const (
	chartWidth  = 760
	labelWidth  = 110
	plotWidth   = chartWidth - labelWidth - 70
	barHeight   = 16
	barGap      = 6
	panelMargin = 34
)

// chart draws the within-run ratios to direct as an SVG image.
func chart(r *results) string {
	panels := []panel{
		{title: "Start-up: INIT true ÷ true (median of per-round ratios)", target: 2.5},
		{title: "Signal round trip p50 ÷ sending to the child directly", target: 3.0},
	}
	for _, t := range r.Targets {
		if s := t.Startup; s != nil && s.Ratio > 0 {
			panels[0].bars = append(panels[0].bars, bar{t.Name, s.Ratio})
		}
		if s := t.Signals; s != nil && s.RatioP50 > 0 {
			panels[1].bars = append(panels[1].bars, bar{t.Name, s.RatioP50})
		}
	}
	var body strings.Builder
	y := 10.0
	for _, p := range panels {
		if len(p.bars) > 0 {
			y = drawPanel(&body, p, y)
		}
	}
	return fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%.0f" viewBox="0 0 %d %.0f" font-family="sans-serif" font-size="12">
<rect width="100%%" height="100%%" fill="white"/>
<text x="10" y="%.0f" fill="#555">%s; ratios within one run; dashed red: goinit's target</text>
%s</svg>
`, chartWidth, y+20, chartWidth, y+20, y+10, html.EscapeString(r.Machine.Date+", "+r.Machine.CPU), body.String())
}

// drawPanel draws p from height y and returns the height below it.
func drawPanel(b *strings.Builder, p panel, y float64) float64 {
	top := y + 24
	scale := axisMax(p)
	x := func(v float64) float64 { return labelWidth + v/scale*plotWidth }
	height := float64(len(p.bars))*(barHeight+barGap) + barGap
	fmt.Fprintf(b, `<text x="10" y="%.0f" font-weight="bold">%s</text>`+"\n", y+14, html.EscapeString(p.title))
	for v := 0.0; v <= scale; v++ {
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.0f" x2="%.1f" y2="%.0f" stroke="#ddd"/>`+"\n", x(v), top, x(v), top+height)
		fmt.Fprintf(b, `<text x="%.1f" y="%.0f" text-anchor="middle" fill="#555">%.0f×</text>`+"\n", x(v), top+height+14, v)
	}
	for i, bar := range p.bars {
		by := top + barGap + float64(i)*(barHeight+barGap)
		color := "#8da0cb"
		if bar.name == "goinit" {
			color = "#1b9e77"
		}
		fmt.Fprintf(b, `<text x="%d" y="%.0f" text-anchor="end">%s</text>`+"\n", labelWidth-6, by+12, html.EscapeString(bar.name))
		fmt.Fprintf(b, `<rect x="%d" y="%.0f" width="%.1f" height="%d" fill="%s"/>`+"\n", labelWidth, by, x(bar.value)-labelWidth, barHeight, color)
		fmt.Fprintf(b, `<text x="%.1f" y="%.0f">%.2f×</text>`+"\n", x(bar.value)+4, by+12, bar.value)
	}
	fmt.Fprintf(b, `<line x1="%.1f" y1="%.0f" x2="%.1f" y2="%.0f" stroke="#d62728" stroke-dasharray="5,3" stroke-width="1.5"/>`+"\n",
		x(p.target), top, x(p.target), top+height)
	return top + height + panelMargin
}

// axisMax is the whole number of × the axis runs to.
func axisMax(p panel) float64 {
	m := p.target
	for _, b := range p.bars {
		m = math.Max(m, b.value)
	}
	return math.Ceil(m * 1.05)
}
