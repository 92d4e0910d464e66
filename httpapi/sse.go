// Server-Sent Events.

package httpapi

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/tourney/tourney/host"
)

// events streams a tournament's events as Server-Sent Events. It resumes
// after the Last-Event-ID header or the "after" query parameter ("0" = all
// retained events; default: only new ones). It sends `retry:` first, a
// heartbeat comment every 15 s, and follows the tournament across a
// failover: an id the serving backend did not issue gets a `resync` event
// whose data is the tournament as it is now, then new events.
func (s *server) events(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.respond(w, 0, nil, err)
		return
	}
	after := r.URL.Query().Get("after")
	if last := r.Header.Get("Last-Event-ID"); last != "" {
		after = last
	}
	if err := host.CheckEventID(after); err != nil {
		s.respond(w, 0, nil, err)
		return
	}
	if _, err := s.h.GetTournament(r.Context(), id); err != nil {
		s.respond(w, 0, nil, err)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	flusher, _ := w.(http.Flusher)
	flush := func() {
		if flusher != nil {
			flusher.Flush()
		}
	}
	fmt.Fprint(w, "retry: 1000\n\n")
	flush()
	heartbeat := time.NewTicker(sseHeartbeat)
	defer heartbeat.Stop()
	events := s.h.Events(r.Context(), id, after)
	for {
		select {
		case <-r.Context().Done():
			return
		case <-s.opts.ShuttingDown:
			fmt.Fprint(w, "event: shutdown\ndata: {}\n\n")
			flush()
			return
		case <-heartbeat.C:
			if _, err := fmt.Fprint(w, ": heartbeat\n\n"); err != nil {
				return
			}
			flush()
		case e, ok := <-events:
			if !ok {
				return
			}
			var data []byte
			if e.Event.Type == host.EventResync {
				t, err := s.h.GetTournament(r.Context(), id)
				if err != nil {
					continue
				}
				data, _ = json.Marshal(t)
			} else {
				data, _ = json.Marshal(e.Event)
			}
			if e.ID != "" {
				fmt.Fprintf(w, "id: %s\n", e.ID)
			}
			if _, err := fmt.Fprintf(w, "event: %s\ndata: %s\n\n", e.Event.Type, data); err != nil {
				return
			}
			flush()
		}
	}
}

// sseHeartbeat is how often an idle event stream gets a comment line, so
// that proxies keep it open and clients notice a dead one.
const sseHeartbeat = 15 * time.Second
