package generate

import "strings"

// stopMatcher finds stop sequences in a growing text. Text that could still
// be the start of a stop sequence is held back from the stream until it is
// certain it is not one.
type stopMatcher struct {
	stops []string
	text  strings.Builder // everything decoded so far
	sent  int             // bytes of text already released
	done  bool            // a stop sequence was found
}

// add appends decoded text. It returns the newly releasable text and, when a
// stop sequence has appeared, found=true (the text before the stop is
// released, the stop and anything after it are dropped).
func (m *stopMatcher) add(piece string) (release string, found bool) {
	if m.done {
		return "", true
	}
	m.text.WriteString(piece)
	all := m.text.String()
	tail := all[m.sent:]
	// Any stop match starts at or after m.sent: a suffix that was a stop
	// prefix is never released (see holdback).
	cut := -1
	for _, s := range m.stops {
		if i := strings.Index(tail, s); i >= 0 && (cut < 0 || i < cut) {
			cut = i
		}
	}
	if cut >= 0 {
		release = tail[:cut]
		m.sent += cut
		m.done = true
		return release, true
	}
	keep := holdback(tail, m.stops)
	release = tail[:len(tail)-keep]
	m.sent += len(release)
	return release, false
}

// flush releases everything held back (at the end of generation).
func (m *stopMatcher) flush() string {
	all := m.text.String()
	rest := all[m.sent:]
	m.sent = len(all)
	return rest
}

// output returns the text released so far.
func (m *stopMatcher) output() string { return m.text.String()[:m.sent] }

// holdback returns the length of the longest suffix of s that is a proper
// prefix of some stop sequence.
func holdback(s string, stops []string) int {
	best := 0
	for _, st := range stops {
		n := min(len(st)-1, len(s))
		for k := n; k > best; k-- {
			if strings.HasSuffix(s, st[:k]) {
				best = k
				break
			}
		}
	}
	return best
}
