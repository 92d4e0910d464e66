// Export and import as JSON Lines.

package httpapi

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"time"

	"github.com/tourney/tourney/tournament"
)

// export streams every tournament, one JSON line each, as the backend
// yields them (nothing is buffered whole). An error before the first line
// is an error answer; after it, the stream ends early and the host logs it.
func (s *server) export(w http.ResponseWriter, r *http.Request) {
	started := false
	line := make([]byte, 0, 4096)
	err := s.h.Export(r.Context(), func(t *tournament.Tournament) error {
		if !started {
			w.Header().Set("Content-Type", "application/x-ndjson")
			w.WriteHeader(http.StatusOK)
			started = true
		}
		line = append(t.AppendJSON(line[:0]), '\n')
		_, err := w.Write(line)
		return err
	})
	switch {
	case err != nil && !started:
		s.respond(w, 0, nil, err)
	case err != nil:
		s.logger.Error("export ended early", "error", err)
	case !started:
		w.Header().Set("Content-Type", "application/x-ndjson")
		w.WriteHeader(http.StatusOK)
	}
}

func (s *server) importLines(w http.ResponseWriter, r *http.Request) {
	// An import may be large: a minute to arrive, not bodyReadTimeout.
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(time.Minute))
	snaps, err := parseLines(http.MaxBytesReader(w, r.Body, MaxImportBody))
	if err != nil {
		s.respond(w, 0, nil, err)
		return
	}
	n, err := s.h.Import(r.Context(), snaps)
	s.respond(w, http.StatusOK, map[string]int{"imported": n}, err)
}

// parseLines reads JSON Lines of snapshots; an error names the line.
func parseLines(body io.Reader) ([]*tournament.Tournament, error) {
	sc := bufio.NewScanner(body)
	sc.Buffer(make([]byte, 64<<10), MaxImportBody)
	var snaps []*tournament.Tournament
	seen := map[int64]int{}
	for line := 1; sc.Scan(); line++ {
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		if key, dup := duplicateKey(b); dup {
			return nil, tournament.Errorf(tournament.CodeInvalidArgument, "line %d: field %q appears twice", line, key)
		}
		t, err := tournament.ParseSnapshot(b)
		if err != nil {
			return nil, tournament.Errorf(tournament.CodeInvalidArgument, "line %d: %v", line, err)
		}
		if prev, dup := seen[t.ID]; dup {
			return nil, tournament.Errorf(tournament.CodeInvalidArgument,
				"line %d: tournament %d already given on line %d", line, t.ID, prev)
		}
		seen[t.ID] = line
		snaps = append(snaps, t)
	}
	if err := sc.Err(); err != nil {
		return nil, bodyError(err, time.Minute)
	}
	return snaps, nil
}
