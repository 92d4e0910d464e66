package apicheck

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestTheDocumentIsValidOpenAPI31(t *testing.T) {
	doc, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if !doc.IsOpenAPI31OrLater() {
		t.Fatalf("openapi %q, want 3.1", doc.OpenAPI)
	}
}

// The checker fails what the document does not describe: an undocumented
// field, status or route.
func TestTheCheckerCatchesDrift(t *testing.T) {
	game := `{"game_id":1,"round":1,"player_1":2,"player_2":3,"status":"active","winner_id":null,"loser_id":null,"created_at":"2026-01-01T00:00:00Z","deadline":"2026-01-01T00:05:00Z","finished_at":null}`
	tour := `{"id":1,"name":"x","max_players":2,"creator_id":1,"status":"active","players":[2,3],"current_round":1,"rounds":[{"round":1,"slots":[2,3],"games":[` + game + `],"byes":[]}],"active_games":[` + game + `],"next_round":[],"winner_id":null,"version":4,"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","started_at":null,"completed_at":null%s}`
	for _, tc := range []struct {
		name, path string
		status     int
		body       string
		drift      bool
	}{
		{"as documented", "/v1/tournaments/1", 200, fmt.Sprintf(tour, ""), false},
		{"an undocumented field", "/v1/tournaments/1", 200, fmt.Sprintf(tour, `,"secret":1`), true},
		{"an undocumented status", "/v1/tournaments/1", 418, `{"error":{"code":"internal","message":"teapot"}}`, true},
		{"an error of the wrong shape", "/v1/tournaments/1", 404, `{"message":"nope"}`, true},
		{"an undocumented route", "/v1/secret", 200, `{}`, true},
		{"an unknown route answered 404", "/v1/secret", 404, `{"error":{"code":"not_found","message":"no"}}`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tc.status)
				fmt.Fprint(w, tc.body)
			}))
			defer srv.Close()
			router, err := loaded()
			if err != nil {
				t.Fatal(err)
			}
			var reports []string
			c := &checker{report: func(f string, a ...any) { reports = append(reports, fmt.Sprintf(f, a...)) },
				next: http.DefaultTransport, router: router}
			resp, err := (&http.Client{Transport: c}).Get(srv.URL + tc.path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if got := len(reports) > 0; got != tc.drift {
				t.Fatalf("drift reported: %v, want %v (%s)", got, tc.drift, strings.Join(reports, "; "))
			}
		})
	}
}

// An answer cut short (the server died while writing it) is not drift: the
// caller reads the same error it would without the checker.
func TestAnAnswerCutShortReachesTheCallerAsAnError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "100")
		w.WriteHeader(http.StatusOK)
		fmt.Fprint(w, `{"id":1,"na`)
		w.(http.Flusher).Flush()
		conn, _, _ := w.(http.Hijacker).Hijack()
		conn.Close()
	}))
	defer srv.Close()
	router, err := loaded()
	if err != nil {
		t.Fatal(err)
	}
	var reports []string
	c := &checker{report: func(f string, a ...any) { reports = append(reports, fmt.Sprintf(f, a...)) },
		next: http.DefaultTransport, router: router}
	resp, err := (&http.Client{Transport: c}).Get(srv.URL + "/v1/tournaments/1")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if _, err := io.ReadAll(resp.Body); err == nil {
		t.Fatal("reading the cut answer: no error")
	}
	if len(reports) > 0 {
		t.Fatalf("reported as drift: %s", strings.Join(reports, "; "))
	}
}
