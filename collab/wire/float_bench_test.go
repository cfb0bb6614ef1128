package wire

import "testing"

// BenchmarkPointsJSON encodes a 200-point stroke as a browser draws it: positions with
// two decimals, pressure with three.
func BenchmarkPointsJSON(b *testing.B) {
	p := make(Points, 0, 600)
	for i := range 200 {
		p = append(p, float32(i*137%5000)/100, float32(i*71%3000)/100, float32(300+i%600)/1000)
	}
	var buf []byte
	b.ReportAllocs()
	for b.Loop() {
		buf = p.appendJSON(buf[:0])
	}
	b.SetBytes(int64(len(buf)))
}
