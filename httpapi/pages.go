// The live bracket page (/t/{id}) and the index of live tournaments (/),
// with the data and the event stream the page reads. Pages are public with
// Options.PublicPages; otherwise they need the API token, as ?token= (a
// browser cannot send it as a header) or a bearer header.

package httpapi

import (
	"crypto/sha256"
	"crypto/subtle"
	_ "embed"
	"encoding/base64"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"strings"

	"github.com/tourney/tourney/tournament"
)

//go:embed web/bracket.html
var bracketHTML []byte

// bracketPolicy is the page's Content-Security-Policy but frame-ancestors:
// its one inline script and style by hash, data from this origin only.
var bracketPolicy = func() string {
	hash := func(tag string) string {
		_, rest, _ := strings.Cut(string(bracketHTML), "<"+tag+">")
		body, _, _ := strings.Cut(rest, "</"+tag+">")
		sum := sha256.Sum256([]byte(body))
		return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
	}
	return "default-src 'none'; script-src " + hash("script") + "; style-src " + hash("style") +
		"; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'"
}()

// pageAllowed reports whether r may see pages, answering 401 when not.
func (s *server) pageAllowed(w http.ResponseWriter, r *http.Request) bool {
	if s.opts.PublicPages || s.opts.Token == "" {
		return true
	}
	got := r.URL.Query().Get("token")
	auth := strings.TrimSpace(r.Header.Get("Authorization"))
	if scheme, h, ok := strings.Cut(auth, " "); got == "" && ok && strings.EqualFold(scheme, "Bearer") {
		got = strings.TrimSpace(h)
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(s.opts.Token)) == 1 {
		return true
	}
	writeError(w, tournament.Errorf(tournament.CodeUnauthenticated,
		"pages need the API token (?token=...) unless TOURNEY_PUBLIC_PAGES=true"))
	return false
}

// bracketPage serves the page; it draws itself from /t/{id}/state and
// follows /t/{id}/events.
func (s *server) bracketPage(w http.ResponseWriter, r *http.Request) {
	if _, err := pathID(r, "id"); err != nil {
		s.respond(w, 0, nil, err)
		return
	}
	if !s.pageAllowed(w, r) {
		return
	}
	ancestors := s.opts.FrameAncestors
	if ancestors == "" {
		ancestors = "'self'"
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Content-Security-Policy", bracketPolicy+"; frame-ancestors "+ancestors)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "no-referrer")
	_, _ = w.Write(bracketHTML)
}

// pageState is what the page draws: the tournament and its standings.
func (s *server) pageState(w http.ResponseWriter, r *http.Request) {
	if !s.pageAllowed(w, r) {
		return
	}
	id, err := pathID(r, "id")
	var t *tournament.Tournament
	if err == nil {
		t, err = s.h.GetTournament(r.Context(), id)
	}
	if err != nil {
		s.respond(w, 0, nil, err)
		return
	}
	st := t.Standings()
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, map[string]any{"tournament": t, "standings": st})
}

// pageEvents is the tournament's event stream for the page (as
// /v1/tournaments/{id}/events, with the page's access rule).
func (s *server) pageEvents(w http.ResponseWriter, r *http.Request) {
	if !s.pageAllowed(w, r) {
		return
	}
	s.events(w, r)
}

// index is the landing page: links to the API reference and, for callers
// allowed to see pages, the live tournaments with links to their pages.
func (s *server) index(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	var list strings.Builder
	allowed := s.opts.PublicPages || s.opts.Token == "" || subtle.ConstantTimeCompare([]byte(r.URL.Query().Get("token")), []byte(s.opts.Token)) == 1
	if allowed {
		suffix := ""
		if tok := r.URL.Query().Get("token"); tok != "" {
			suffix = "?token=" + url.QueryEscape(tok)
		}
		ts, err := s.h.ListTournaments(r.Context())
		switch {
		case err != nil:
			fmt.Fprintf(&list, "<p>The tournaments cannot be listed now: %s</p>", html.EscapeString(err.Error()))
		case len(ts) == 0:
			list.WriteString("<p>No live tournament.</p>")
		default:
			list.WriteString("<h2>Live tournaments</h2><ul>")
			for _, t := range ts {
				fmt.Fprintf(&list, `<li><a href="/t/%d%s">%s</a> · %s · %d/%d players</li>`, t.ID,
					html.EscapeString(suffix), html.EscapeString(t.Name), t.Status, t.PlayerCount, t.MaxPlayers)
			}
			list.WriteString("</ul>")
		}
	} else {
		list.WriteString("<p>Live tournaments are listed here with the API token (<code>/?token=...</code>) or with TOURNEY_PUBLIC_PAGES=true.</p>")
	}
	_, _ = w.Write([]byte(strings.Replace(string(indexHTML), "<!--tournaments-->", list.String(), 1)))
}
