package tournament

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
)

// ParseSnapshot decodes one snapshot strictly (unknown fields and trailing
// data are errors; the derived fields active_games and next_round are
// accepted and ignored) and validates it. Imports use it.
func ParseSnapshot(b []byte) (*Tournament, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var w wire
	if err := dec.Decode(&w); err != nil {
		return nil, Errorf(CodeInvalidArgument, "snapshot is not a valid tournament: %v", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, Errorf(CodeInvalidArgument, "snapshot has data after the tournament object")
	}
	t := Tournament(w.tournamentFields)
	t.dropDerived()
	if err := Validate(&t); err != nil {
		return nil, err
	}
	return &t, nil
}
