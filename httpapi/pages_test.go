package httpapi

import (
	"strings"
	"testing"
)

// The bracket page's policy: its own script and style only, framed by the
// configured origins ('self' by default).
func TestThePageIsFramedOnlyWhereAllowed(t *testing.T) {
	for ancestors, want := range map[string]string{"": "frame-ancestors 'self'",
		"'self' https://stream.example.com": "frame-ancestors 'self' https://stream.example.com"} {
		srv := newServerWith(t, 0, Options{PublicPages: true, FrameAncestors: ancestors})
		r := send(t, srv, "GET", "/t/1", "")
		csp := r.header.Get("Content-Security-Policy")
		if r.status != 200 || !strings.HasSuffix(csp, want) || !strings.HasPrefix(csp, "default-src 'none'; script-src 'sha256-") ||
			strings.Contains(csp, "unsafe") || r.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("frame ancestors %q: %d, policy %q", ancestors, r.status, csp)
		}
	}
}
