package loadtest

import (
	"bytes"
	"strconv"
)

// The clients read every message the server sends, hundreds of thousands a second in a
// big run, so they do not decode JSON: they pick out the few top-level fields they need
// by looking for `"key":`. That is exact for Tabula's messages: seq, cid, code and sid
// occur in no element and no op; x and y are only looked up in cursor messages, which
// hold no element; and inside a JSON string every quote is escaped, so `"key":` cannot
// match inside text. The server writes top-level fields before nested ones, so the
// first match is the top-level field.

// msgType returns the t of a message: the server always writes it first.
func msgType(line []byte) []byte {
	const prefix = `{"t":"`
	if !bytes.HasPrefix(line, []byte(prefix)) {
		return strField(line, "t")
	}
	rest := line[len(prefix):]
	if i := bytes.IndexByte(rest, '"'); i >= 0 {
		return rest[:i]
	}
	return nil
}

// rawField returns the bytes after `"key":` up to the next , or }; nil if absent.
func rawField(line []byte, key string) []byte {
	i := indexKey(line, key)
	if i < 0 {
		return nil
	}
	rest := line[i:]
	end := bytes.IndexAny(rest, ",}")
	if end < 0 {
		return rest
	}
	return rest[:end]
}

// strField returns the contents of a string field without its quotes. Escapes are not
// decoded: the strings looked for (types, codes, cids, sids) never need them.
func strField(line []byte, key string) []byte {
	i := indexKey(line, key)
	if i < 0 || i >= len(line) || line[i] != '"' {
		return nil
	}
	rest := line[i+1:]
	if end := bytes.IndexByte(rest, '"'); end >= 0 {
		return rest[:end]
	}
	return nil
}

func intField(line []byte, key string) (int64, bool) {
	n, err := strconv.ParseInt(string(rawField(line, key)), 10, 64)
	return n, err == nil
}

func floatField(line []byte, key string) (float64, bool) {
	f, err := strconv.ParseFloat(string(rawField(line, key)), 64)
	return f, err == nil
}

// indexKey returns where the value of the first `"key":` starts, or -1.
func indexKey(line []byte, key string) int {
	var pat [24]byte
	p := append(pat[:0], '"')
	p = append(p, key...)
	p = append(p, '"', ':')
	i := bytes.Index(line, p)
	if i < 0 {
		return -1
	}
	return i + len(p)
}
