package wire

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// appendFloat32's quick way must give exactly what strconv gives: every value of up to
// three decimals within ±8,192 (every 13th, to keep it quick), the edges of its range,
// and random bit patterns of every size.
func TestAppendFloat32MatchesStrconv(t *testing.T) {
	check := func(f float32) {
		t.Helper()
		want := strconv.AppendFloat(nil, float64(f), 'g', -1, 32)
		if got := appendFloat32(nil, f); string(got) != string(want) {
			t.Fatalf("appendFloat32(%v) = %s, strconv says %s (bits %#x)", f, got, want, math.Float32bits(f))
		}
	}
	for d := -8_192_000; d <= 8_192_000; d += 13 {
		check(float32(d) / 1000)
		check(float32(d) / 100)
		check(float32(d) / 10)
	}
	for _, f := range []float32{0, float32(math.Copysign(0, -1)), 8192, -8192, 8191.999, -8191.999, 8191.9995, 0.001, -0.001, 0.0005, 0.0015, 1e-7, 0.1, 0.3, 1.005, 2.675, 123.456, 65535.99, 1e6, 1e-5, float32(math.Inf(1)), float32(math.NaN())} {
		check(f)
		check(math.Nextafter32(f, 0))
		check(math.Nextafter32(f, 1e9))
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 500_000 {
		check(math.Float32frombits(r.Uint32()))
		check(float32(r.NormFloat64() * 1000))
	}
}
