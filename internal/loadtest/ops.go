package loadtest

import (
	"math"
	"math/rand/v2"
	"strconv"
)

// opGen makes one writer's batches: what a person drawing does, in roughly the
// proportions they do it. Finished freehand strokes (20–200 points with pressure) are
// the bulk of the bytes; moving a selection of shapes patches their x and y; text is
// created and then edited. A writer only patches elements it created, so every op is
// valid on any board, including an existing one. It keeps at most poolSize live elements
// and deletes its oldest when it makes one more, so a long run never meets the board's
// element limit. Batches are written by hand, as the server writes its own JSON.
type opGen struct {
	rng    *rand.Rand
	prefix string // element ids are prefix + counter in base 36: letters and digits, unique per run and writer
	n      int
	pool   []poolEl // live elements this writer made, oldest first
	small  bool     // -ops move: one rectangle, moved by every batch after the first
}

type poolEl struct {
	id   string
	text bool
	x, y float64
}

const poolSize = 32

var (
	colours = [...]string{"#1e1e1e", "#e03131", "#2f9e44", "#1971c2", "#f08c00"}
	words   = [...]string{"plan", "sprint", "idea", "todo", "ship", "bug", "api", "user", "flow", "draft", "review", "done"}
)

func newOpGen(prefix string, seed1, seed2 uint64) *opGen {
	return &opGen{rng: rand.New(rand.NewPCG(seed1, seed2)), prefix: prefix}
}

// appendOps appends the ops of the next batch, without the brackets around them, and
// reports how many there are (always at least one).
func (g *opGen) appendOps(b []byte) ([]byte, int) {
	if g.small {
		if len(g.pool) == 0 {
			b = g.putHead(b, g.add(false), "rect")
			return append(b, `,"w":40,"h":30}}`...), 1
		}
		return g.moveN(b, 1)
	}
	switch r := g.rng.IntN(100); {
	case r < 45 || len(g.pool) == 0:
		return g.stroke(b)
	case r < 75:
		return g.move(b)
	default:
		return g.text(b)
	}
}

// stroke puts a new freehand stroke, deleting the writer's oldest element when its pool
// is full.
func (g *opGen) stroke(b []byte) ([]byte, int) {
	b, ops := g.evict(b)
	el := g.add(false)
	b = g.putHead(b, el, "stroke")
	n := 20 + g.rng.IntN(181)
	b = append(b, `,"points":[`...)
	var x, y float64
	heading := g.rng.Float64() * 2 * math.Pi
	for i := range n {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		b = strconv.AppendFloat(b, x, 'f', 1, 64)
		b = append(b, ',')
		b = strconv.AppendFloat(b, y, 'f', 1, 64)
		b = append(b, ',')
		b = strconv.AppendFloat(b, 0.3+0.6*g.rng.Float64(), 'f', 2, 64)
		b = append(b, ']')
		heading += (g.rng.Float64() - 0.5) * 0.6
		step := 2 + 4*g.rng.Float64()
		x += step * math.Cos(heading)
		y += step * math.Sin(heading)
	}
	b = append(b, `],"width":`...)
	b = strconv.AppendInt(b, int64(1+g.rng.IntN(6)), 10)
	return append(b, "}}"...), ops + 1
}

// move drags a selection of one to three of the writer's elements.
func (g *opGen) move(b []byte) ([]byte, int) { return g.moveN(b, 1+g.rng.IntN(min(3, len(g.pool)))) }

// moveN drags k of the writer's elements.
func (g *opGen) moveN(b []byte, k int) ([]byte, int) {
	dx, dy := math.Round(g.rng.NormFloat64()*80), math.Round(g.rng.NormFloat64()*80)
	for i := range k {
		el := &g.pool[g.rng.IntN(len(g.pool))]
		el.x = clamp(el.x + dx)
		el.y = clamp(el.y + dy)
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"o":"patch","id":"`...)
		b = append(b, el.id...)
		b = append(b, `","set":{"x":`...)
		b = strconv.AppendFloat(b, el.x, 'f', 1, 64)
		b = append(b, `,"y":`...)
		b = strconv.AppendFloat(b, el.y, 'f', 1, 64)
		b = append(b, "}}"...)
	}
	return b, k
}

// text edits one of the writer's text elements, or makes a new one.
func (g *opGen) text(b []byte) ([]byte, int) {
	var texts []int
	for i := range g.pool {
		if g.pool[i].text {
			texts = append(texts, i)
		}
	}
	if len(texts) == 0 || g.rng.IntN(3) == 0 {
		b, ops := g.evict(b)
		el := g.add(true)
		b = g.putHead(b, el, "text")
		b = append(b, `,"font":"hand","size":20,"text":"`...)
		b = g.words(b)
		return append(b, `"}}`...), ops + 1
	}
	el := g.pool[texts[g.rng.IntN(len(texts))]]
	b = append(b, `{"o":"patch","id":"`...)
	b = append(b, el.id...)
	b = append(b, `","set":{"text":"`...)
	b = g.words(b)
	return append(b, `"}}`...), 1
}

// evict deletes the oldest element if the pool is full.
func (g *opGen) evict(b []byte) ([]byte, int) {
	if len(g.pool) < poolSize {
		return b, 0
	}
	old := g.pool[0]
	g.pool = append(g.pool[:0], g.pool[1:]...)
	b = append(b, `{"o":"del","id":"`...)
	b = append(b, old.id...)
	return append(b, `"},`...), 1
}

// add makes a new element id at a random place and remembers it.
func (g *opGen) add(text bool) poolEl {
	g.n++
	el := poolEl{
		id:   g.prefix + strconv.FormatInt(int64(g.n), 36),
		text: text,
		x:    math.Round(g.rng.Float64() * 4000),
		y:    math.Round(g.rng.Float64() * 3000),
	}
	g.pool = append(g.pool, el)
	return el
}

// putHead starts a put of el: everything up to and including the colour and z.
func (g *opGen) putHead(b []byte, el poolEl, typ string) []byte {
	b = append(b, `{"o":"put","el":{"id":"`...)
	b = append(b, el.id...)
	b = append(b, `","type":"`...)
	b = append(b, typ...)
	b = append(b, `","x":`...)
	b = strconv.AppendFloat(b, el.x, 'f', 1, 64)
	b = append(b, `,"y":`...)
	b = strconv.AppendFloat(b, el.y, 'f', 1, 64)
	b = append(b, `,"stroke":"`...)
	b = append(b, colours[g.rng.IntN(len(colours))]...)
	b = append(b, `","opacity":1,"z":"`...)
	b = append(b, el.id...) // ids are letters and digits only, which z allows too
	return append(b, '"')
}

// words appends a few words, the length of a sticky label.
func (g *opGen) words(b []byte) []byte {
	n := 1 + g.rng.IntN(8)
	for i := range n {
		if i > 0 {
			b = append(b, ' ')
		}
		b = append(b, words[g.rng.IntN(len(words))]...)
	}
	return b
}

func clamp(v float64) float64 { return max(-1e6, min(1e6, v)) }
