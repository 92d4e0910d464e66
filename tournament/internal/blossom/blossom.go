// Package blossom computes a maximum-weight matching of a general graph
// with Edmonds' blossom algorithm in the O(n^3) primal-dual form of Galil
// (1986), following Joris van Rantwijk's reference implementation
// (mwmatching.py, public domain). The engine pairs Swiss rounds with it.
//
// Integer weights only: every dual variable is kept doubled, so the whole
// computation is exact.
package blossom

// Edge is an undirected edge between vertices I and J (0-based) of weight W.
type Edge struct {
	I, J int
	W    int64
}

// Match returns a maximum-weight matching of the graph given by edges on n
// vertices: mate[v] is the vertex matched to v, or -1. With maxCardinality
// it returns, among the matchings of maximum cardinality, one of maximum
// weight. The result depends only on the edges and their order.
func Match(n int, edges []Edge, maxCardinality bool) []int {
	if n == 0 || len(edges) == 0 {
		mate := make([]int, n)
		for i := range mate {
			mate[i] = -1
		}
		return mate
	}
	m := newMatcher(n, edges, maxCardinality)
	m.run()
	mate := make([]int, n)
	for v := range n {
		mate[v] = -1
		if m.mate[v] >= 0 {
			mate[v] = m.endpoint[m.mate[v]]
		}
	}
	return mate
}

type matcher struct {
	nv       int
	edges    []Edge
	maxCard  bool
	endpoint []int
	neighb   [][]int
	mate     []int
	label    []int
	labelend []int
	inb      []int // inblossom
	parent   []int // blossomparent
	childs   [][]int
	base     []int
	endps    [][]int
	best     []int   // bestedge
	bbest    [][]int // blossombestedges
	unused   []int
	dual     []int64
	allowed  []bool
	queue    []int
}

func newMatcher(n int, edges []Edge, maxCard bool) *matcher {
	m := &matcher{nv: n, edges: edges, maxCard: maxCard}
	var maxW int64
	for _, e := range edges {
		maxW = max(maxW, e.W)
	}
	m.endpoint = make([]int, 2*len(edges))
	m.neighb = make([][]int, n)
	for k, e := range edges {
		m.endpoint[2*k], m.endpoint[2*k+1] = e.I, e.J
		m.neighb[e.I] = append(m.neighb[e.I], 2*k+1)
		m.neighb[e.J] = append(m.neighb[e.J], 2*k)
	}
	m.mate = fill(n, -1)
	m.label = make([]int, 2*n)
	m.labelend = fill(2*n, -1)
	m.inb = make([]int, n)
	m.base = fill(2*n, -1)
	for i := range n {
		m.inb[i], m.base[i] = i, i
	}
	m.parent = fill(2*n, -1)
	m.childs = make([][]int, 2*n)
	m.endps = make([][]int, 2*n)
	m.best = fill(2*n, -1)
	m.bbest = make([][]int, 2*n)
	for b := 2*n - 1; b >= n; b-- {
		m.unused = append(m.unused, b)
	}
	m.dual = make([]int64, 2*n)
	for i := range n {
		m.dual[i] = maxW
	}
	m.allowed = make([]bool, len(edges))
	return m
}

func fill(n, v int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = v
	}
	return s
}

// at indexes s as Python does: a negative j counts from the end.
func at(s []int, j int) int {
	if j < 0 {
		j += len(s)
	}
	return s[j]
}

func (m *matcher) slack(k int) int64 {
	e := m.edges[k]
	return m.dual[e.I] + m.dual[e.J] - 2*e.W
}

func (m *matcher) leaves(b int, out []int) []int {
	if b < m.nv {
		return append(out, b)
	}
	for _, t := range m.childs[b] {
		out = m.leaves(t, out)
	}
	return out
}

func (m *matcher) assignLabel(w, t, p int) {
	b := m.inb[w]
	m.label[w], m.label[b] = t, t
	m.labelend[w], m.labelend[b] = p, p
	m.best[w], m.best[b] = -1, -1
	switch t {
	case 1:
		m.queue = m.leaves(b, m.queue)
	case 2:
		base := m.base[b]
		m.assignLabel(m.endpoint[m.mate[base]], 1, m.mate[base]^1)
	}
}

// scanBlossom traces back from v and w to find either a new blossom's base
// or (-1) an augmenting path.
func (m *matcher) scanBlossom(v, w int) int {
	var path []int
	base := -1
	for v != -1 || w != -1 {
		b := m.inb[v]
		if m.label[b]&4 != 0 {
			base = m.base[b]
			break
		}
		path = append(path, b)
		m.label[b] = 5
		if m.labelend[b] == -1 {
			v = -1
		} else {
			v = m.endpoint[m.labelend[b]]
			b = m.inb[v]
			v = m.endpoint[m.labelend[b]]
		}
		if w != -1 {
			v, w = w, v
		}
	}
	for _, b := range path {
		m.label[b] = 1
	}
	return base
}

func (m *matcher) addBlossom(base, k int) {
	v, w := m.edges[k].I, m.edges[k].J
	bb, bv, bw := m.inb[base], m.inb[v], m.inb[w]
	b := m.unused[len(m.unused)-1]
	m.unused = m.unused[:len(m.unused)-1]
	m.base[b], m.parent[b], m.parent[bb] = base, -1, b
	var path, endps []int
	for bv != bb {
		m.parent[bv] = b
		path = append(path, bv)
		endps = append(endps, m.labelend[bv])
		v = m.endpoint[m.labelend[bv]]
		bv = m.inb[v]
	}
	path = append(path, bb)
	reverse(path)
	reverse(endps)
	endps = append(endps, 2*k)
	for bw != bb {
		m.parent[bw] = b
		path = append(path, bw)
		endps = append(endps, m.labelend[bw]^1)
		w = m.endpoint[m.labelend[bw]]
		bw = m.inb[w]
	}
	m.childs[b], m.endps[b] = path, endps
	m.label[b], m.labelend[b], m.dual[b] = 1, m.labelend[bb], 0
	for _, v := range m.leaves(b, nil) {
		if m.label[m.inb[v]] == 2 {
			m.queue = append(m.queue, v)
		}
		m.inb[v] = b
	}
	bestTo := fill(2*m.nv, -1)
	for _, bv := range path {
		var lists [][]int
		if m.bbest[bv] == nil {
			for _, v := range m.leaves(bv, nil) {
				l := make([]int, len(m.neighb[v]))
				for i, p := range m.neighb[v] {
					l[i] = p / 2
				}
				lists = append(lists, l)
			}
		} else {
			lists = [][]int{m.bbest[bv]}
		}
		for _, l := range lists {
			for _, k := range l {
				i, j := m.edges[k].I, m.edges[k].J
				if m.inb[j] == b {
					i, j = j, i
				}
				_ = i
				bj := m.inb[j]
				if bj != b && m.label[bj] == 1 && (bestTo[bj] == -1 || m.slack(k) < m.slack(bestTo[bj])) {
					bestTo[bj] = k
				}
			}
		}
		m.bbest[bv], m.best[bv] = nil, -1
	}
	bl := []int{}
	for _, k := range bestTo {
		if k != -1 {
			bl = append(bl, k)
		}
	}
	m.bbest[b] = bl
	m.best[b] = -1
	for _, k := range bl {
		if m.best[b] == -1 || m.slack(k) < m.slack(m.best[b]) {
			m.best[b] = k
		}
	}
}

func reverse(s []int) {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
}

func (m *matcher) expandBlossom(b int, endstage bool) {
	for _, s := range m.childs[b] {
		m.parent[s] = -1
		switch {
		case s < m.nv:
			m.inb[s] = s
		case endstage && m.dual[s] == 0:
			m.expandBlossom(s, endstage)
		default:
			for _, v := range m.leaves(s, nil) {
				m.inb[v] = s
			}
		}
	}
	if !endstage && m.label[b] == 2 {
		childs, endps := m.childs[b], m.endps[b]
		entry := m.inb[m.endpoint[m.labelend[b]^1]]
		j := index(childs, entry)
		var jstep, trick int
		if j&1 != 0 {
			j -= len(childs)
			jstep, trick = 1, 0
		} else {
			jstep, trick = -1, 1
		}
		p := m.labelend[b]
		for j != 0 {
			m.label[m.endpoint[p^1]] = 0
			m.label[m.endpoint[at(endps, j-trick)^trick^1]] = 0
			m.assignLabel(m.endpoint[p^1], 2, p)
			m.allowed[at(endps, j-trick)/2] = true
			j += jstep
			p = at(endps, j-trick) ^ trick
			m.allowed[p/2] = true
			j += jstep
		}
		bv := at(childs, j)
		m.label[m.endpoint[p^1]], m.label[bv] = 2, 2
		m.labelend[m.endpoint[p^1]], m.labelend[bv] = p, p
		m.best[bv] = -1
		j += jstep
		for at(childs, j) != entry {
			bv := at(childs, j)
			if m.label[bv] == 1 {
				j += jstep
				continue
			}
			var v int
			for _, v = range m.leaves(bv, nil) {
				if m.label[v] != 0 {
					break
				}
			}
			if m.label[v] != 0 {
				m.label[v] = 0
				m.label[m.endpoint[m.mate[m.base[bv]]]] = 0
				m.assignLabel(v, 2, m.labelend[v])
			}
			j += jstep
		}
	}
	m.label[b], m.labelend[b] = -1, -1
	m.childs[b], m.endps[b], m.bbest[b] = nil, nil, nil
	m.base[b], m.best[b] = -1, -1
	m.unused = append(m.unused, b)
}

func index(s []int, v int) int {
	for i, x := range s {
		if x == v {
			return i
		}
	}
	return -1
}

func (m *matcher) augmentBlossom(b, v int) {
	t := v
	for m.parent[t] != b {
		t = m.parent[t]
	}
	if t >= m.nv {
		m.augmentBlossom(t, v)
	}
	childs, endps := m.childs[b], m.endps[b]
	i := index(childs, t)
	j := i
	var jstep, trick int
	if i&1 != 0 {
		j -= len(childs)
		jstep, trick = 1, 0
	} else {
		jstep, trick = -1, 1
	}
	for j != 0 {
		j += jstep
		t = at(childs, j)
		p := at(endps, j-trick) ^ trick
		if t >= m.nv {
			m.augmentBlossom(t, m.endpoint[p])
		}
		j += jstep
		t = at(childs, j)
		if t >= m.nv {
			m.augmentBlossom(t, m.endpoint[p^1])
		}
		m.mate[m.endpoint[p]] = p ^ 1
		m.mate[m.endpoint[p^1]] = p
	}
	m.childs[b] = append(append([]int{}, childs[i:]...), childs[:i]...)
	m.endps[b] = append(append([]int{}, endps[i:]...), endps[:i]...)
	m.base[b] = m.base[m.childs[b][0]]
}

func (m *matcher) augmentMatching(k int) {
	for _, sp := range [2][2]int{{m.edges[k].I, 2*k + 1}, {m.edges[k].J, 2 * k}} {
		s, p := sp[0], sp[1]
		for {
			bs := m.inb[s]
			if bs >= m.nv {
				m.augmentBlossom(bs, s)
			}
			m.mate[s] = p
			if m.labelend[bs] == -1 {
				break
			}
			t := m.endpoint[m.labelend[bs]]
			bt := m.inb[t]
			s = m.endpoint[m.labelend[bt]]
			j := m.endpoint[m.labelend[bt]^1]
			if bt >= m.nv {
				m.augmentBlossom(bt, j)
			}
			m.mate[j] = m.labelend[bt]
			p = m.labelend[bt] ^ 1
		}
	}
}

func (m *matcher) run() {
	n := m.nv
	for range n {
		clear(m.label)
		for i := range m.best {
			m.best[i] = -1
		}
		for b := n; b < 2*n; b++ {
			m.bbest[b] = nil
		}
		clear(m.allowed)
		m.queue = m.queue[:0]
		for v := range n {
			if m.mate[v] == -1 && m.label[m.inb[v]] == 0 {
				m.assignLabel(v, 1, -1)
			}
		}
		augmented := false
		for {
			for len(m.queue) > 0 && !augmented {
				v := m.queue[len(m.queue)-1]
				m.queue = m.queue[:len(m.queue)-1]
				for _, p := range m.neighb[v] {
					k, w := p/2, m.endpoint[p]
					if m.inb[v] == m.inb[w] {
						continue
					}
					var kslack int64
					if !m.allowed[k] {
						kslack = m.slack(k)
						if kslack <= 0 {
							m.allowed[k] = true
						}
					}
					switch {
					case m.allowed[k]:
						switch {
						case m.label[m.inb[w]] == 0:
							m.assignLabel(w, 2, p^1)
						case m.label[m.inb[w]] == 1:
							if base := m.scanBlossom(v, w); base >= 0 {
								m.addBlossom(base, k)
							} else {
								m.augmentMatching(k)
								augmented = true
							}
						case m.label[w] == 0:
							m.label[w], m.labelend[w] = 2, p^1
						}
					case m.label[m.inb[w]] == 1:
						b := m.inb[v]
						if m.best[b] == -1 || kslack < m.slack(m.best[b]) {
							m.best[b] = k
						}
					case m.label[w] == 0:
						if m.best[w] == -1 || kslack < m.slack(m.best[w]) {
							m.best[w] = k
						}
					}
					if augmented {
						break
					}
				}
			}
			if augmented {
				break
			}
			deltaType, delta, deltaEdge, deltaBlossom := -1, int64(0), -1, -1
			if !m.maxCard {
				deltaType, delta = 1, minDual(m.dual[:n])
			}
			for v := range n {
				if m.label[m.inb[v]] == 0 && m.best[v] != -1 {
					if d := m.slack(m.best[v]); deltaType == -1 || d < delta {
						deltaType, delta, deltaEdge = 2, d, m.best[v]
					}
				}
			}
			for b := range 2 * n {
				if m.parent[b] == -1 && m.label[b] == 1 && m.best[b] != -1 {
					if d := m.slack(m.best[b]) / 2; deltaType == -1 || d < delta {
						deltaType, delta, deltaEdge = 3, d, m.best[b]
					}
				}
			}
			for b := n; b < 2*n; b++ {
				if m.base[b] >= 0 && m.parent[b] == -1 && m.label[b] == 2 && (deltaType == -1 || m.dual[b] < delta) {
					deltaType, delta, deltaBlossom = 4, m.dual[b], b
				}
			}
			if deltaType == -1 {
				deltaType, delta = 1, max(0, minDual(m.dual[:n]))
			}
			for v := range n {
				switch m.label[m.inb[v]] {
				case 1:
					m.dual[v] -= delta
				case 2:
					m.dual[v] += delta
				}
			}
			for b := n; b < 2*n; b++ {
				if m.base[b] >= 0 && m.parent[b] == -1 {
					switch m.label[b] {
					case 1:
						m.dual[b] += delta
					case 2:
						m.dual[b] -= delta
					}
				}
			}
			if deltaType == 1 {
				break
			}
			switch deltaType {
			case 2:
				m.allowed[deltaEdge] = true
				i, j := m.edges[deltaEdge].I, m.edges[deltaEdge].J
				if m.label[m.inb[i]] == 0 {
					i, j = j, i
				}
				_ = j
				m.queue = append(m.queue, i)
			case 3:
				m.allowed[deltaEdge] = true
				m.queue = append(m.queue, m.edges[deltaEdge].I)
			case 4:
				m.expandBlossom(deltaBlossom, false)
			}
		}
		if !augmented {
			break
		}
		for b := n; b < 2*n; b++ {
			if m.parent[b] == -1 && m.base[b] >= 0 && m.label[b] == 1 && m.dual[b] == 0 {
				m.expandBlossom(b, true)
			}
		}
	}
}

func minDual(d []int64) int64 {
	v := d[0]
	for _, x := range d[1:] {
		v = min(v, x)
	}
	return v
}
