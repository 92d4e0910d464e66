// WebSocket: the events of one tournament, or of every tournament a
// client subscribes to by message, as JSON messages.

package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"time"

	"net/http"

	"github.com/coder/websocket"
	"github.com/tourney/tourney/host"
	"github.com/tourney/tourney/tournament"
)

const (
	// wsPing is how often the server pings a WebSocket client; a client
	// that does not answer within wsPingWait is closed.
	wsPing     = 15 * time.Second
	wsPingWait = 10 * time.Second
	// wsQueue is the default bound of a client's send queue.
	wsQueue = 256
)

// wsMessage is one message to a client: an event with its id (pass it as
// "after" to resume), and for a resync the tournament as it is now.
type wsMessage struct {
	ID         string                 `json:"id,omitempty"`
	Event      tournament.Event       `json:"event"`
	Tournament *tournament.Tournament `json:"tournament,omitempty"`
}

// wsRequest is a message from a /v1/ws client.
type wsRequest struct {
	Subscribe   int64  `json:"subscribe,omitempty"`
	Unsubscribe int64  `json:"unsubscribe,omitempty"`
	After       string `json:"after,omitempty"`
}

// wsClient is one WebSocket connection: its subscriptions feed one bounded
// queue that one writer drains; a client that lets the queue fill is
// closed (StatusPolicyViolation), never allowed to grow memory.
type wsClient struct {
	s     *server
	conn  *websocket.Conn
	queue chan *wsMessage // pointers: an idle client's queue costs little
	ctx   context.Context
	stop  context.CancelCauseFunc
	// readCtx ends the reader only once the connection is closed: a read
	// (like a write) cancelled midway drops the connection, and a client
	// closed for being slow should still get the reason.
	readCtx  context.Context
	readDone context.CancelFunc
	mu       sync.Mutex
	subs     map[int64]context.CancelFunc
}

var errSlowClient = errors.New("send queue full: the client reads too slowly")

func (s *server) acceptWS(w http.ResponseWriter, r *http.Request) (*wsClient, error) {
	conn, err := websocket.Accept(w, r, nil)
	if err != nil {
		return nil, err // Accept answered the request
	}
	conn.SetReadLimit(4096)
	ctx, stop := context.WithCancelCause(context.WithoutCancel(r.Context()))
	n := s.opts.WSQueue
	if n <= 0 {
		n = wsQueue
	}
	readCtx, readDone := context.WithCancel(context.Background())
	return &wsClient{s: s, conn: conn, queue: make(chan *wsMessage, n), ctx: ctx, stop: stop, readCtx: readCtx, readDone: readDone,
		subs: map[int64]context.CancelFunc{}}, nil
}

// tournamentWS streams one tournament's events: GET
// /v1/tournaments/{id}/ws[?after=ID].
func (s *server) tournamentWS(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	after := r.URL.Query().Get("after")
	if err == nil {
		err = host.CheckEventID(after)
	}
	if err == nil {
		_, err = s.h.GetTournament(r.Context(), id)
	}
	if err != nil {
		s.respond(w, 0, nil, err)
		return
	}
	c, err := s.acceptWS(w, r)
	if err != nil {
		return
	}
	c.subscribe(id, after)
	go c.readUntilClosed(false)
	c.run()
}

// multiWS streams the events of the tournaments a client subscribes to:
// GET /v1/ws, then messages {"subscribe": ID, "after": "..."} and
// {"unsubscribe": ID}.
func (s *server) multiWS(w http.ResponseWriter, r *http.Request) {
	c, err := s.acceptWS(w, r)
	if err != nil {
		return
	}
	go c.readUntilClosed(true)
	c.run()
}

// subscribe feeds id's events (after the event id after) into the queue.
func (c *wsClient) subscribe(id int64, after string) {
	c.mu.Lock()
	if cancel, ok := c.subs[id]; ok {
		cancel()
	}
	ctx, cancel := context.WithCancel(c.ctx)
	c.subs[id] = cancel
	c.mu.Unlock()
	go func() {
		for {
			removed, got := false, false
			for e := range c.s.h.Events(ctx, id, after) {
				got = true
				m := &wsMessage{ID: e.ID, Event: e.Event}
				if e.Event.Type == host.EventResync {
					if t, err := c.s.h.GetTournament(ctx, id); err == nil {
						m.Tournament = t
					}
				}
				if e.ID != "" {
					after = e.ID
				}
				removed = e.Event.Type == tournament.EventTournamentRemoved
				select {
				case c.queue <- m:
				default:
					c.stop(errSlowClient)
					return
				}
			}
			// The stream ended: the client left, the tournament is gone,
			// or a shared subscription dropped it for lagging (it resumes
			// from its last event, on a subscription of its own).
			if ctx.Err() != nil || removed || !got || after == "" {
				return
			}
		}
	}()
}

func (c *wsClient) unsubscribe(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if cancel, ok := c.subs[id]; ok {
		cancel()
		delete(c.subs, id)
	}
}

// readUntilClosed reads the client's messages (subscriptions when multi)
// until the connection ends.
func (c *wsClient) readUntilClosed(multi bool) {
	for {
		_, data, err := c.conn.Read(c.readCtx)
		if err != nil {
			c.stop(err)
			return
		}
		if !multi {
			continue // a one-tournament stream takes no requests
		}
		var req wsRequest
		err = json.Unmarshal(data, &req)
		switch {
		case err != nil || req.Subscribe == 0 && req.Unsubscribe == 0 || req.Subscribe < 0 || req.Unsubscribe < 0:
			c.stop(errBadWSRequest)
			return
		case req.Unsubscribe != 0:
			c.unsubscribe(req.Unsubscribe)
		case host.CheckEventID(req.After) != nil:
			c.stop(errBadWSRequest)
			return
		default:
			c.subscribe(req.Subscribe, req.After)
		}
	}
}

// finish closes the connection, with the reason when the server ended it.
func (c *wsClient) finish() {
	switch cause := context.Cause(c.ctx); {
	case errors.Is(cause, errSlowClient):
		c.conn.Close(websocket.StatusPolicyViolation, errSlowClient.Error())
	case errors.Is(cause, errBadWSRequest):
		c.conn.Close(websocket.StatusUnsupportedData, errBadWSRequest.Error())
	default:
		c.conn.CloseNow()
	}
}

var errBadWSRequest = errors.New(`a message must be {"subscribe": ID, "after": "EVENT_ID"} or {"unsubscribe": ID}`)

// run writes queued messages and pings until the client goes, is too
// slow, or the server shuts down, then closes with the reason.
func (c *wsClient) run() {
	defer c.readDone()
	defer c.stop(nil)
	ping := time.NewTicker(wsPing)
	defer ping.Stop()
	for {
		select {
		case m := <-c.queue:
			b, _ := json.Marshal(m)
			// Not c.ctx: cancelling a write drops the connection, and a
			// client closed for being slow should still get the reason.
			ctx, cancel := context.WithTimeout(context.Background(), wsPingWait)
			err := c.conn.Write(ctx, websocket.MessageText, b)
			cancel()
			if err != nil {
				c.finish()
				return
			}
		case <-ping.C:
			ctx, cancel := context.WithTimeout(context.Background(), wsPingWait)
			err := c.conn.Ping(ctx)
			cancel()
			if err != nil {
				c.finish()
				return
			}
		case <-c.s.opts.ShuttingDown:
			c.conn.Close(websocket.StatusGoingAway, "the server is shutting down")
			return
		case <-c.ctx.Done():
			c.finish()
			return
		}
	}
}
