// Middleware: authentication, rate limits and the caller's identity.

package httpapi

import (
	"context"
	"crypto/subtle"
	"net"
	"net/http"
	"strings"
	"time"
	"unicode"

	"github.com/tourney/tourney/host"
	"github.com/tourney/tourney/tournament"
)

// guard checks the bearer token on /v1 calls and sets the caller's actor.
func (s *server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.opts.Token != "" && strings.HasPrefix(r.URL.Path, "/v1/") {
			// The scheme is case-insensitive (RFC 9110); the token is not.
			scheme, got, ok := strings.Cut(strings.TrimSpace(r.Header.Get("Authorization")), " ")
			got = strings.TrimSpace(got)
			if !ok || !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare([]byte(got), []byte(s.opts.Token)) != 1 {
				w.Header().Set("WWW-Authenticate", `Bearer realm="tourney"`)
				writeError(w, tournament.Errorf(tournament.CodeUnauthenticated, "missing or wrong bearer token"))
				return
			}
		}
		actor, err := actorOf(r, s.opts.Token != "")
		if err != nil {
			writeError(w, err)
			return
		}
		if strings.HasPrefix(r.URL.Path, "/v1/") {
			if err := s.addrs.admit(clientAddr(r), time.Now()); err != nil {
				writeError(w, err)
				return
			}
		}
		ctx := context.WithValue(host.WithActor(r.Context(), actor), bodyTimeoutKey{}, s.opts.BodyTimeout)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// actorOf is the caller's identity for rate limits. X-Actor-ID is trusted
// only from callers holding the API token (a game server speaking for its
// players): anyone else could rotate it at will, so without a token the
// identity is the client address and the header is ignored.
func actorOf(r *http.Request, trusted bool) (string, error) {
	if a := r.Header.Get("X-Actor-ID"); a != "" {
		if len(a) > maxActorLen || strings.IndexFunc(a, func(c rune) bool { return !unicode.IsPrint(c) }) >= 0 {
			return "", tournament.Errorf(tournament.CodeInvalidArgument, "X-Actor-ID must be at most %d printable characters", maxActorLen)
		}
		if trusted {
			return a, nil
		}
	}
	return "addr:" + clientAddr(r), nil
}

func clientAddr(r *http.Request) string {
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return h
	}
	return r.RemoteAddr
}
