package wire

import (
	"sync"

	"github.com/hashicorp/golang-lru/v2/simplelru"
	"github.com/tourney/tourney/tournament"
)

// knownStatesSize bounds the states a GRPCClient keeps.
const knownStatesSize = 4096

// knownStates is a GRPCClient's last state of each tournament it saw. It
// saves the plugin's reply the whole state: a change to a known state
// comes back as a delta the client replays (protocol 2), a read of an
// unchanged one as "unchanged". Least recently used states go first;
// states are never modified; a stale one only costs a full reply.
type knownStates struct {
	mu  sync.Mutex
	lru *simplelru.LRU[int64, *tournament.Tournament]
}

func newKnownStates() *knownStates {
	l, _ := simplelru.NewLRU[int64, *tournament.Tournament](knownStatesSize, nil)
	return &knownStates{lru: l}
}

func (k *knownStates) get(id int64) *tournament.Tournament {
	k.mu.Lock()
	defer k.mu.Unlock()
	t, _ := k.lru.Get(id)
	return t
}

func (k *knownStates) put(t *tournament.Tournament) {
	if t == nil {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if old, ok := k.lru.Peek(t.ID); ok && old.Version > t.Version && old.CreatedAt.Equal(t.CreatedAt) {
		return // a slower reply about an older state
	}
	k.lru.Add(t.ID, t)
}

func (k *knownStates) forget(id int64) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.lru.Remove(id)
}

func (k *knownStates) clear() {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.lru.Purge()
}
