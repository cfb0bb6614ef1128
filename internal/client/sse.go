package client

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// Event is one server-sent event.
type Event struct {
	ID    string
	Type  string // "message" when the stream gave none
	Data  string
	Retry int // ms, when a retry field came with or before this event
}

// EventStream reads a text/event-stream as the EventSource specification says: fields
// event, data (several lines joined with \n), id and retry; comments are counted; an
// event is dispatched at a blank line.
type EventStream struct {
	Resp     *http.Response
	r        *bufio.Reader
	LastID   string
	Retry    int
	Comments int
	// ReportComments makes Next return each comment as an event of type ":" with the
	// comment text as Data (to observe heartbeats).
	ReportComments bool
}

// Subscribe opens an event stream. A non-2xx answer is returned as an error carrying
// the status, with the response.
func Subscribe(ctx context.Context, url, lastEventID string) (*EventStream, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "text/event-stream")
	if lastEventID != "" {
		req.Header.Set("Last-Event-ID", lastEventID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		resp.Body.Close()
		return &EventStream{Resp: resp}, fmt.Errorf("event stream: %s", resp.Status)
	}
	return &EventStream{Resp: resp, r: bufio.NewReader(resp.Body)}, nil
}

// Next returns the next event.
func (s *EventStream) Next() (*Event, error) {
	var data []string
	ev := &Event{}
	for {
		line, err := s.r.ReadString('\n')
		if err != nil {
			if err == io.EOF && line == "" {
				return nil, io.EOF
			}
			return nil, err
		}
		line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
		if line == "" {
			if data == nil && ev.Type == "" {
				continue // nothing to dispatch
			}
			if ev.Type == "" {
				ev.Type = "message"
			}
			ev.Data = strings.Join(data, "\n")
			ev.ID = s.LastID
			ev.Retry = s.Retry
			return ev, nil
		}
		if strings.HasPrefix(line, ":") {
			s.Comments++
			if s.ReportComments {
				return &Event{Type: ":", Data: strings.TrimPrefix(line[1:], " ")}, nil
			}
			continue
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "event":
			ev.Type = value
		case "data":
			data = append(data, value)
		case "id":
			if !strings.Contains(value, "\x00") {
				s.LastID = value
			}
		case "retry":
			if n, err := strconv.Atoi(value); err == nil {
				s.Retry = n
			}
		}
	}
}

// Close ends the stream.
func (s *EventStream) Close() error { return s.Resp.Body.Close() }
