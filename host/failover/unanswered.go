package failover

import (
	"slices"
	"sync"
	"sync/atomic"
)

// unansweredTracked bounds the tournaments whose unanswered primary
// changes are remembered.
const unansweredTracked = 4096

// unanswered remembers, per tournament, the changes this host sent the
// primary whose outcome it never learnt (the primary failed before
// answering). Should the primary turn out to hold one after the outage, it
// is this host's own change, which the caller was never told of and
// retried (on the fallback): the outage's acknowledged changes replace it
// rather than conflict with it (writeBack).
type unanswered struct {
	mu  sync.Mutex
	by  map[int64][]string // tournament -> op ids, the last four
	len atomic.Int64       // len(by), read without mu
}

// note remembers change op of tournament id.
func (u *unanswered) note(id int64, op string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.by == nil {
		u.by = map[int64][]string{}
	}
	if _, ok := u.by[id]; !ok && len(u.by) >= unansweredTracked {
		for victim := range u.by { // any one: a lost entry only costs a conflict record
			delete(u.by, victim)
			break
		}
	}
	ops := append(u.by[id], op)
	u.by[id] = ops[max(0, len(ops)-4):]
	u.len.Store(int64(len(u.by)))
}

// forget drops id's unanswered changes once a change of it is answered on
// the primary (whatever they did is behind it now).
func (u *unanswered) forget(id int64) {
	if u.len.Load() == 0 {
		return
	}
	u.mu.Lock()
	delete(u.by, id)
	u.len.Store(int64(len(u.by)))
	u.mu.Unlock()
}

// has reports whether id has unanswered changes.
func (u *unanswered) has(id int64) bool {
	if u.len.Load() == 0 {
		return false
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	return len(u.by[id]) > 0
}

// ops returns id's unanswered changes.
func (u *unanswered) ops(id int64) []string {
	if u.len.Load() == 0 {
		return nil
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	return slices.Clone(u.by[id])
}
