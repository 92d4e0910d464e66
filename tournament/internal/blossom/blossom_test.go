package blossom

import (
	"math/rand/v2"
	"testing"
)

// best returns the maximum (cardinality, weight) over every matching, by
// exhaustive search: with maxCard, cardinality first.
func best(n int, edges []Edge, maxCard bool) (int, int64) {
	used := make([]bool, n)
	bc, bw := 0, int64(0)
	var rec func(k, c int, w int64)
	rec = func(k, c int, w int64) {
		if k == len(edges) {
			if maxCard && (c > bc || c == bc && w > bw) || !maxCard && w > bw {
				bc, bw = c, w
			}
			return
		}
		rec(k+1, c, w)
		e := edges[k]
		if !used[e.I] && !used[e.J] {
			used[e.I], used[e.J] = true, true
			rec(k+1, c+1, w+e.W)
			used[e.I], used[e.J] = false, false
		}
	}
	rec(0, 0, 0)
	return bc, bw
}

func check(t *testing.T, n int, edges []Edge, maxCard bool) {
	t.Helper()
	mate := Match(n, edges, maxCard)
	c, w := 0, int64(0)
	for _, e := range edges {
		if mate[e.I] == e.J && mate[e.J] == e.I {
			c++
			w += e.W
		}
	}
	for v, u := range mate {
		if u >= 0 && mate[u] != v {
			t.Fatalf("mate is not symmetric: %v", mate)
		}
		if u >= 0 {
			c2 := 0
			for _, e := range edges {
				if e.I == v && e.J == u || e.J == v && e.I == u {
					c2++
				}
			}
			if c2 == 0 {
				t.Fatalf("matched %d-%d without an edge", v, u)
			}
		}
	}
	bc, bw := best(n, edges, maxCard)
	if maxCard && (c != bc || w != bw) || !maxCard && w != bw {
		t.Fatalf("n=%d maxCard=%v edges %v: got %d edges weight %d, best %d weight %d (mate %v)", n, maxCard, edges, c, w, bc, bw, mate)
	}
}

func TestMatchesExhaustiveSearch(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for trial := range 3000 {
		n := 2 + r.IntN(9)
		var edges []Edge
		for i := range n {
			for j := i + 1; j < n; j++ {
				if r.IntN(100) < 30+trial%60 {
					edges = append(edges, Edge{i, j, int64(r.IntN(20))})
				}
			}
		}
		if len(edges) > 22 {
			edges = edges[:22]
		}
		check(t, n, edges, trial%2 == 0)
	}
}

func TestKnownCases(t *testing.T) {
	// From the reference implementation's own tests.
	check(t, 3, []Edge{{0, 1, 1}, {1, 2, 2}}, false)
	check(t, 4, []Edge{{0, 1, 2}, {0, 2, 1}, {1, 2, 1}, {2, 3, 7}}, false)
	check(t, 4, []Edge{{0, 1, 2}, {0, 2, 1}, {1, 2, 1}, {2, 3, 7}}, true)
	// S-blossom, relabelled T, nested, expansion cases.
	check(t, 5, []Edge{{1, 2, 8}, {1, 3, 9}, {2, 3, 10}, {3, 4, 7}}, false)
	check(t, 7, []Edge{{1, 2, 8}, {1, 3, 9}, {2, 3, 10}, {3, 4, 7}, {1, 6, 5}, {4, 5, 6}}, false)
	check(t, 7, []Edge{{1, 2, 9}, {1, 3, 8}, {2, 3, 10}, {1, 4, 5}, {4, 5, 4}, {1, 6, 3}}, false)
	check(t, 9, []Edge{{1, 2, 23}, {1, 5, 22}, {1, 6, 15}, {2, 3, 25}, {3, 4, 22}, {4, 5, 25}, {4, 8, 14}, {5, 7, 13}}, false)
	check(t, 11, []Edge{{1, 2, 40}, {1, 3, 40}, {2, 3, 60}, {2, 4, 55}, {3, 5, 55}, {4, 5, 50}, {1, 8, 15}, {5, 7, 30},
		{7, 6, 10}, {8, 10, 10}, {4, 9, 30}}, false)
}

func BenchmarkDense256(b *testing.B) { benchDense(b, 256) }

func benchDense(b *testing.B, n int) {
	r := rand.New(rand.NewPCG(3, 4))
	var edges []Edge
	for i := range n {
		for j := i + 1; j < n; j++ {
			edges = append(edges, Edge{i, j, 1000 + int64(r.IntN(100))})
		}
	}
	for b.Loop() {
		Match(n, edges, true)
	}
}
