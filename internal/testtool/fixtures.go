package testtool

import (
	"fmt"
	"strings"
)

// StrokeBatch is a realistic ops message for benchmarks: one freehand stroke of n
// points, in batch cid, with element id.
func StrokeBatch(cid, id string, n int) []byte {
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
