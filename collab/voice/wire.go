package voice

import "encoding/json"

// errorFrame is an error message as collab sends them.
func errorFrame(code, msg string) []byte {
	b, err := json.Marshal(struct {
		T    string `json:"t"`
		Code string `json:"code"`
		Msg  string `json:"msg"`
	}{"error", code, msg})
	if err != nil {
		panic("voice: encode error: " + err.Error())
	}
	return b
}
