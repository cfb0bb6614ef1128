package collab

import "sync"

// localTransport is a Transport whose client is code in this process (a history
// restore): messages wait in memory until take, and wake is signalled whenever some
// arrive or the transport closes.
type localTransport struct {
	wake chan struct{}

	mu     sync.Mutex
	msgs   [][]byte
	closed bool
	why    string
}

var _ Transport = (*localTransport)(nil)

func newLocalTransport() *localTransport { return &localTransport{wake: make(chan struct{}, 1)} }

func (t *localTransport) Deliver(msg []byte, _ Delivery) bool {
	t.mu.Lock()
	ok := !t.closed
	if ok {
		t.msgs = append(t.msgs, msg)
	}
	t.mu.Unlock()
	t.signal()
	return ok
}

func (t *localTransport) Close(_ int, why string) {
	t.mu.Lock()
	if !t.closed {
		t.closed, t.why = true, why
	}
	t.mu.Unlock()
	t.signal()
}

func (t *localTransport) signal() {
	select {
	case t.wake <- struct{}{}:
	default:
	}
}

// take returns the messages delivered since the last take, and whether (and why) the
// transport was closed.
func (t *localTransport) take() (msgs [][]byte, closed bool, why string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	msgs, t.msgs = t.msgs, nil
	return msgs, t.closed, t.why
}
