package wire

import "testing"

// FuzzDecodeDifferential holds wireReader (jsontext with our key switches,
// decode_jsontext_test.go) to frameReader, the hand-written scanner it was measured
// against: for any frame both accept it, decoding the same wire structs and the same
// Message, or both refuse it with the same code and message, naming the same type and
// cid (two syntax errors may name different bytes; see sameAnswer). The stored-frame
// decoder that replays board logs is held to the scanner's the same way.
//
// Like FuzzDecodeMatchesEncodingJSON it starts from the test frames of up to 8 KiB;
// TestTestFramesMatchScanner checks all of them.
func FuzzDecodeDifferential(f *testing.F) {
	for _, frame := range testFrames(f) {
		if len(frame) <= 8<<10 {
			f.Add(frame)
		}
	}
	small := hostileLimits()
	f.Fuzz(func(t *testing.T, data []byte) {
		matchScanner(t, data, &DefaultLimits)
		matchScanner(t, data, &small)
	})
}

func TestTestFramesMatchScanner(t *testing.T) {
	small := hostileLimits()
	for _, frame := range testFrames(t) {
		matchScanner(t, frame, &DefaultLimits)
		matchScanner(t, frame, &small)
	}
}

func matchScanner(t *testing.T, data []byte, lim *Limits) {
	t.Helper()
	got, gotErr := jsontextDecodeMessage(data, lim)
	want, wantErr := DecodeMessage(data, lim)
	if !sameAnswer(gotErr, wantErr) {
		t.Fatalf("%q:\n got error %v\nwant error %v", data, gotErr, wantErr)
	}
	if g, w := dump(got), dump(want); g != w {
		t.Fatalf("%q:\n got %s\nwant %s", data, g, w)
	}
	var gw, ww wireMsg
	gotErr, wantErr = errOf(gw.textDecode(data, lim)), errOf(ww.decode(data, lim))
	if !sameAnswer(gotErr, wantErr) {
		t.Fatalf("%q: wire decode:\n got error %v\nwant error %v", data, gotErr, wantErr)
	}
	if g, w := dump(gw), dump(ww); g != w {
		t.Fatalf("%q: wire decode:\n got %s\nwant %s", data, g, w)
	}
	gw, ww = wireMsg{}, wireMsg{}
	gotErr, wantErr = errOf(gw.textDecodeStored(data)), errOf(ww.decodeStored(data))
	if !sameAnswer(gotErr, wantErr) {
		t.Fatalf("%q: stored decode:\n got error %v\nwant error %v", data, gotErr, wantErr)
	}
	if g, w := dump(gw), dump(ww); g != w {
		t.Fatalf("%q: stored decode:\n got %s\nwant %s", data, g, w)
	}
}

// sameAnswer reports whether a and b are the same refusal: the same code and message,
// except that two syntax errors may name different bytes. jsontext names the start of
// a bad escape where the scanner names the bad character in it, and a comma before a
// closing bracket where it names the bracket.
func sameAnswer(a, b error) bool {
	if isSyntaxError(a) && isSyntaxError(b) {
		return true
	}
	return sameError(a, b)
}

// errOf turns a nil *Error into a nil error.
func errOf(e *Error) error {
	if e == nil {
		return nil
	}
	return e
}
