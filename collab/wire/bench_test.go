package wire

import (
	"fmt"
	"strings"
	"testing"
)

// strokeBatch is a realistic ops message: one freehand stroke of n points.
func strokeBatch(cid, id string, n int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `{"t":"ops","cid":%q,"ops":[{"o":"put","el":{"id":%q,"type":"stroke","x":120.5,"y":80.25,"w":300,"h":200,"points":[`, cid, id)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "[%.2f,%.2f,%.2f]", float64(i)*1.5, float64(i%40)*2.25, 0.5)
	}
	b.WriteString(`],"stroke":"#1e1e1e","width":2,"opacity":1,"z":"a0V"}}]}`)
	return []byte(b.String())
}

func BenchmarkDecodeValidate(b *testing.B) { benchDecode(b, DecodeMessage) }

// BenchmarkDecodeValidateJSONText is BenchmarkDecodeValidate on the jsontext decoder
// measured against the scanner (decode_jsontext_test.go), to compare the two on one
// machine in one run (docs/benchmarks.md, "Decoder").
func BenchmarkDecodeValidateJSONText(b *testing.B) { benchDecode(b, jsontextDecodeMessage) }

func benchDecode(b *testing.B, decode func([]byte, *Limits) (*Message, error)) {
	for _, n := range []int{20, 200} {
		frame := strokeBatch("c1", "s1", n)
		b.Run(fmt.Sprintf("Stroke%dPoints", n), func(b *testing.B) {
			b.SetBytes(int64(len(frame)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := decode(frame, &DefaultLimits); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	move := []byte(`{"t":"ops","cid":"c2","ops":[{"o":"patch","id":"r1","set":{"x":10.5,"y":-3}}]}`)
	b.Run("Move", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := decode(move, &DefaultLimits); err != nil {
				b.Fatal(err)
			}
		}
	})
}
