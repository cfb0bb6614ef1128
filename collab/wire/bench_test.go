package wire

import (
	"fmt"
	"tabula/internal/testtool"
	"testing"
)

// strokeBatch: testtool.StrokeBatch, the realistic ops message the benchmarks share.
var strokeBatch = testtool.StrokeBatch

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
