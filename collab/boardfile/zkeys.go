package boardfile

// digits are the fractional-index digits, in sort order (assets/js/fracindex.js).
const digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// zKeys returns n ascending fractional-index keys the way the board page makes them
// when appending: integers "a0", "a1", … "az", "b00", … with no fraction.
func zKeys(n int) []string {
	out := make([]string, 0, n)
	key := []byte("a0")
	for range n {
		out = append(out, string(key))
		key = increment(key)
	}
	return out
}

// increment returns the integer key after key; the head letter says how many digits
// follow ('a' one, 'b' two, …).
func increment(key []byte) []byte {
	next := append([]byte(nil), key...)
	for i := len(next) - 1; i > 0; i-- {
		d := indexOf(next[i])
		if d+1 < len(digits) {
			next[i] = digits[d+1]
			return next
		}
		next[i] = '0'
	}
	// Every digit overflowed: one more digit, starting from zero.
	head := next[0] + 1
	out := make([]byte, 0, len(next)+1)
	out = append(out, head)
	for range len(next) {
		out = append(out, '0')
	}
	return out
}

func indexOf(c byte) int {
	for i := range len(digits) {
		if digits[i] == c {
			return i
		}
	}
	return 0
}
