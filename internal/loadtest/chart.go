package loadtest

import (
	"cmp"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"os"
	"slices"
)

// chartMain is `tabula loadtest chart -in a.json,b.json -out chart.png`: one PNG with
// delivery latency (p50, p99) against clients on the left and deliveries per second
// against clients on the right, one point per run in the files.
func chartMain(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("tabula loadtest chart", flag.ContinueOnError)
	fs.SetOutput(stderr)
	in := fs.String("in", "", "comma-separated JSON files written by loadtest -json")
	out := fs.String("out", "loadtest.png", "PNG file to write")
	title := fs.String("title", "", "caption above the charts (default: the runs' settings)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	var runs []*Report
	for _, path := range splitList(*in) {
		res, err := readResults(path)
		if err != nil {
			fmt.Fprintln(stderr, "loadtest chart:", err)
			return 1
		}
		runs = append(runs, res.Runs...)
	}
	if len(runs) == 0 {
		fmt.Fprintln(stderr, "loadtest chart: -in names no results")
		return 2
	}
	if *title == "" {
		*title = caption(runs)
	}
	if err := writeChart(*out, *title, runs); err != nil {
		fmt.Fprintln(stderr, "loadtest chart:", err)
		return 1
	}
	return 0
}

// caption describes the load of the runs when they all share it.
func caption(runs []*Report) string {
	c := runs[0].Config
	for _, r := range runs[1:] {
		k := r.Config
		if k.Boards != c.Boards || k.Writers != c.Writers || k.Rate != c.Rate || k.CursorHz != c.CursorHz {
			return "Tabula load test"
		}
	}
	return fmt.Sprintf("Tabula load test: %d writers x %g batches/s, cursors %g Hz, %d board(s), %gs measured",
		c.Writers, c.Rate, c.CursorHz, c.Boards, c.Duration)
}

func writeChart(path, title string, runs []*Report) error {
	runs = slices.Clone(runs)
	slices.SortStableFunc(runs, func(a, b *Report) int { return cmp.Compare(a.Connected, b.Connected) })
	var clients, p50, p99, rate []float64
	for _, r := range runs {
		clients = append(clients, float64(r.Connected))
		p50 = append(p50, r.DeliveryLatency.P50)
		p99 = append(p99, r.DeliveryLatency.P99)
		rate = append(rate, r.Deliveries.PerSecond)
	}
	const w, h, head = 1200, 520, 30
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	text(img, (w-textWidth(title))/2, 20, title, inkColor)
	blue := color.RGBA{0x19, 0x71, 0xc2, 0xff}
	red := color.RGBA{0xe0, 0x31, 0x31, 0xff}
	green := color.RGBA{0x2f, 0x9e, 0x44, 0xff}
	panel{
		title: "delivery latency to other clients (ms)", xLabel: "clients",
		series: []series{{"p50", blue, clients, p50}, {"p99", red, clients, p99}},
	}.draw(img, image.Rect(0, head, w/2, h))
	panel{
		title: "deliveries per second (ops broadcasts received)", xLabel: "clients",
		series: []series{{"deliveries/s", green, clients, rate}},
	}.draw(img, image.Rect(w/2, head, w, h))
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}
