// Operations routes: status, health, readiness, conflicts.

package httpapi

import (
	"net/http"
)

func (s *server) conflicts(w http.ResponseWriter, r *http.Request) {
	s.withID(w, r, func(id int64) (any, error) {
		list, err := s.h.Conflicts(r.Context(), id)
		return map[string]any{"conflicts": list}, err
	})
}

func (s *server) status(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.h.Status(r.Context()))
}

func (s *server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *server) readyz(w http.ResponseWriter, r *http.Request) {
	st := s.h.Status(r.Context())
	if !st.Ready {
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"status": "unavailable", "backend": st.Backend})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ready", "backend": st.Backend})
}
