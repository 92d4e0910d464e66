package shared

import (
	"sync"

	"github.com/tourney/tourney/tournament"
)

// knownStatesSize bounds the states a GRPCClient keeps.
const knownStatesSize = 4096

// knownStates is a GRPCClient's last state of each tournament it saw, so
// that replies need not carry what the client already holds (protocol 2).
// States are never modified; a stale one only costs a full reply.
type knownStates struct {
	mu sync.Mutex
	m  map[int64]*tournament.Tournament
}

func newKnownStates() *knownStates { return &knownStates{m: map[int64]*tournament.Tournament{}} }

func (k *knownStates) get(id int64) *tournament.Tournament {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.m[id]
}

func (k *knownStates) put(t *tournament.Tournament) {
	if t == nil {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if old, ok := k.m[t.ID]; ok && old.Version > t.Version && old.CreatedAt.Equal(t.CreatedAt) {
		return // a slower reply about an older state
	}
	if _, ok := k.m[t.ID]; !ok && len(k.m) >= knownStatesSize {
		for victim := range k.m {
			delete(k.m, victim)
			break
		}
	}
	k.m[t.ID] = t
}

func (k *knownStates) forget(id int64) {
	k.mu.Lock()
	defer k.mu.Unlock()
	delete(k.m, id)
}

func (k *knownStates) clear() {
	k.mu.Lock()
	defer k.mu.Unlock()
	clear(k.m)
}
