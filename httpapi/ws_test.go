package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/tourney/tourney/tournament"
)

func dialWS(t *testing.T, base, path string, hdr http.Header) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+path, &websocket.DialOptions{HTTPHeader: hdr})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.CloseNow() })
	return c
}

func readWS(t *testing.T, c *websocket.Conn) wsMessage {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, b, err := c.Read(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var m wsMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return m
}

func TestWebSocketStreamsAndResumes(t *testing.T) {
	srv := newServer(t, "", 0)
	send(t, srv, "POST", "/v1/tournaments", `{"id":1,"name":"ws","max_players":4,"creator_id":1}`)
	c := dialWS(t, srv.URL, "/v1/tournaments/1/ws?after=0", nil)
	if m := readWS(t, c); m.Event.Type != tournament.EventTournamentCreated || m.ID == "" {
		t.Fatalf("first message %+v", m)
	}
	send(t, srv, "POST", "/v1/tournaments/1/players", `{"user_id":7}`)
	joined := readWS(t, c)
	if joined.Event.Type != tournament.EventPlayerJoined || joined.Event.PlayerID != 7 {
		t.Fatalf("message %+v", joined)
	}
	c.Close(websocket.StatusNormalClosure, "")
	// Resume after the join: the next change only.
	send(t, srv, "POST", "/v1/tournaments/1/players", `{"user_id":8}`)
	again := dialWS(t, srv.URL, "/v1/tournaments/1/ws?after="+joined.ID, nil)
	if m := readWS(t, again); m.Event.Type != tournament.EventPlayerJoined || m.Event.PlayerID != 8 {
		t.Fatalf("resumed with %+v", m)
	}
	// Errors are answered before the upgrade.
	for path, status := range map[string]int{"/v1/tournaments/9/ws": 404, "/v1/tournaments/x/ws": 400,
		"/v1/tournaments/1/ws?after=garbage": 400} {
		if r := send(t, srv, "GET", path, ""); r.status != status {
			t.Errorf("%s: %d %s", path, r.status, r.body)
		}
	}
}

func TestWebSocketNeedsTheToken(t *testing.T) {
	srv := newServer(t, "secret", 0)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, resp, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/v1/ws", nil)
	if err == nil || resp == nil || resp.StatusCode != 401 {
		t.Fatalf("without a token: %v %v", resp, err)
	}
	c := dialWS(t, srv.URL, "/v1/ws", http.Header{"Authorization": {"Bearer secret"}})
	c.CloseNow()
}

func TestWebSocketSubscribesByMessage(t *testing.T) {
	srv := newServer(t, "", 0)
	for _, id := range []int{1, 2} {
		send(t, srv, "POST", "/v1/tournaments", fmt.Sprintf(`{"id":%d,"name":"m","max_players":4,"creator_id":1}`, id))
	}
	c := dialWS(t, srv.URL, "/v1/ws", nil)
	ctx := context.Background()
	for _, id := range []int{1, 2} {
		c.Write(ctx, websocket.MessageText, []byte(fmt.Sprintf(`{"subscribe":%d}`, id)))
	}
	time.Sleep(100 * time.Millisecond) // both subscriptions are up
	send(t, srv, "POST", "/v1/tournaments/2/players", `{"user_id":5}`)
	send(t, srv, "POST", "/v1/tournaments/1/players", `{"user_id":6}`)
	got := map[int64]int64{}
	for range 2 {
		m := readWS(t, c)
		got[m.Event.TournamentID] = m.Event.PlayerID
	}
	if got[1] != 6 || got[2] != 5 {
		t.Fatalf("events %v", got)
	}
	c.Write(ctx, websocket.MessageText, []byte(`{"unsubscribe":2}`))
	time.Sleep(100 * time.Millisecond)
	send(t, srv, "POST", "/v1/tournaments/2/players", `{"user_id":9}`)
	send(t, srv, "POST", "/v1/tournaments/1/players", `{"user_id":10}`)
	if m := readWS(t, c); m.Event.TournamentID != 1 || m.Event.PlayerID != 10 {
		t.Fatalf("after unsubscribing from 2: %+v", m)
	}
	// A message that is not a request closes the connection, saying why.
	c.Write(ctx, websocket.MessageText, []byte(`{"subscribe":"x"}`))
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	_, _, err := c.Read(rctx)
	if websocket.CloseStatus(err) != websocket.StatusUnsupportedData {
		t.Fatalf("a bad request: %v", err)
	}
}

// A client that does not read is disconnected once its queue is full,
// with a close reason; the server does not buffer for it.
func TestSlowWebSocketClientIsDisconnected(t *testing.T) {
	// The server's sockets take little: its writes to a client that does
	// not read block soon.
	srv := newServerOn(t, 0, Options{WSQueue: 4}, func(l net.Listener) net.Listener { return smallWrites{l} })
	send(t, srv, "POST", "/v1/tournaments", `{"id":1,"name":"slow","max_players":1024,"creator_id":1}`)
	// A client whose socket takes little: the server's writes block soon.
	small := &net.Dialer{Control: func(_, _ string, rc syscall.RawConn) error {
		return rc.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 2048) })
	}}
	dctx, dcancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer dcancel()
	c, _, err := websocket.Dial(dctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/v1/tournaments/1/ws",
		&websocket.DialOptions{HTTPClient: &http.Client{Transport: &http.Transport{DialContext: small.DialContext}}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.CloseNow()
	// It reads, but slower than the tournament changes.
	ended := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		for {
			if _, _, err := c.Read(ctx); err != nil {
				ended <- err
				return
			}
			time.Sleep(40 * time.Millisecond)
		}
	}()
	time.Sleep(100 * time.Millisecond)
	for u := 1; u <= 400; u++ { // minimal answers: the test times the stream, not big replies
		send(t, srv, "POST", "/v1/tournaments/1/players", fmt.Sprintf(`{"user_id":%d}`, u), "Prefer", "return=minimal")
		select {
		case err = <-ended:
			u = 1 << 30
		default:
		}
	}
	if err == nil {
		err = <-ended
	}
	var ce websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != websocket.StatusPolicyViolation || !strings.Contains(ce.Reason, "too slowly") {
		t.Fatalf("a slow client ended with %v", err)
	}
}

// smallWrites accepts connections with a small send buffer.
type smallWrites struct{ net.Listener }

func (l smallWrites) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetWriteBuffer(2048)
	}
	return c, err
}
