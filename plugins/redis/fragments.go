package redis

import (
	"sync"

	"github.com/hashicorp/golang-lru/v2/simplelru"
	"github.com/tourney/tourney/tournament"
)

// fragmentsSize bounds the tournaments whose game JSON a plugin keeps.
const fragmentsSize = 4096

// gameFragments keeps the JSON of every game of the tournaments this plugin
// writes, by game id and signature. It saves the encoding of games that
// did not change: a write encodes only the games that changed and copies
// the rest, so the state, the rounds and the active games of a
// 1024-player tournament cost about what an 8-player one does. Least
// recently written tournaments go first.
type gameFragments struct {
	mu    sync.Mutex
	byTID *simplelru.LRU[int64, *tournamentFragments]
}

type tournamentFragments struct {
	mu    sync.Mutex
	games map[int64]fragment
}

type fragment struct {
	sig  uint64
	json []byte
}

func newGameFragments() *gameFragments {
	l, _ := simplelru.NewLRU[int64, *tournamentFragments](fragmentsSize, nil)
	return &gameFragments{byTID: l}
}

// lock returns tournament id's fragments, locked; call unlock when done.
func (f *gameFragments) lock(id int64) *tournamentFragments {
	f.mu.Lock()
	tf, ok := f.byTID.Get(id)
	if !ok {
		tf = &tournamentFragments{games: map[int64]fragment{}}
		f.byTID.Add(id, tf)
	}
	f.mu.Unlock()
	tf.mu.Lock()
	return tf
}

func (tf *tournamentFragments) unlock() { tf.mu.Unlock() }

// json is a tournament.GameJSON: the game's JSON, encoded again only when
// the game changed.
func (tf *tournamentFragments) json(g *tournament.Game) []byte {
	sig := g.Signature()
	if fr, ok := tf.games[g.GameID]; ok && fr.sig == sig {
		return fr.json
	}
	j := g.AppendJSON(nil)
	tf.games[g.GameID] = fragment{sig: sig, json: j}
	return j
}

func (f *gameFragments) forget(id int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.byTID.Remove(id)
}
