package generate

import (
	"math"
)

// The functions in this file are the pure building blocks of sampling. They
// work in place on a logits (or probabilities) slice and never allocate.

// Argmax returns the index of the largest value (the first one on ties), or
// -1 for an empty slice. NaN values are never chosen.
func Argmax(x []float32) int {
	best, bi := float32(math.Inf(-1)), -1
	for i, v := range x {
		if v > best || (bi < 0 && !isNaN32(v)) {
			best, bi = v, i
		}
	}
	return bi
}

func isNaN32(v float32) bool { return v != v }

// ApplyLogitBias adds bias[id] to logits[id] for every id in range.
func ApplyLogitBias(logits []float32, bias map[int]float32) {
	for id, b := range bias {
		if id >= 0 && id < len(logits) {
			logits[id] += b
		}
	}
}

// ApplyPenalties applies OpenAI's presence and frequency penalties:
// logits[id] -= counts[id]*frequency + presence for every id in ids, the
// distinct tokens generated so far, whose occurrence counts are in counts.
func ApplyPenalties(logits []float32, ids []int, counts []int32, presence, frequency float64) {
	if presence == 0 && frequency == 0 {
		return
	}
	for _, id := range ids {
		if id < 0 || id >= len(logits) || counts[id] == 0 {
			continue
		}
		logits[id] -= float32(float64(counts[id])*frequency + presence)
	}
}

// ApplyRepetitionPenalty applies Hugging Face's repetition penalty to the
// distinct token ids in ids: a positive logit is divided by penalty, a
// negative one multiplied by it.
func ApplyRepetitionPenalty(logits []float32, ids []int, penalty float64) {
	if penalty == 0 || penalty == 1 {
		return
	}
	p := float32(penalty)
	for _, id := range ids {
		if id < 0 || id >= len(logits) {
			continue
		}
		if logits[id] > 0 {
			logits[id] /= p
		} else {
			logits[id] *= p
		}
	}
}

// LogSumExp returns log(sum(exp(x))) computed stably.
func LogSumExp(x []float32) float64 {
	m := math.Inf(-1)
	for _, v := range x {
		if float64(v) > m {
			m = float64(v)
		}
	}
	if math.IsInf(m, -1) {
		return m
	}
	var s float64
	for _, v := range x {
		s += math.Exp(float64(v) - m)
	}
	return m + math.Log(s)
}

// SoftmaxAt writes into probs[i] the softmax over logits[idx[i]] divided by
// temperature (1 when temperature <= 0), for the len(idx) candidates. The
// probabilities sum to 1.
func SoftmaxAt(probs, logits []float32, idx []int, temperature float64) {
	if temperature <= 0 {
		temperature = 1
	}
	inv := 1 / temperature
	m := math.Inf(-1)
	for _, id := range idx {
		if float64(logits[id]) > m {
			m = float64(logits[id])
		}
	}
	var sum float64
	for i, id := range idx {
		e := math.Exp((float64(logits[id]) - m) * inv)
		probs[i] = float32(e)
		sum += e
	}
	if sum == 0 || math.IsNaN(sum) {
		// Every candidate was -Inf (or NaN): fall back to uniform.
		for i := range idx {
			probs[i] = 1 / float32(len(idx))
		}
		return
	}
	for i := range idx {
		probs[i] = float32(float64(probs[i]) / sum)
	}
}

// SelectTopK reorders idx so that its first k entries are the k ids with the
// largest logits, sorted in descending order (ties broken by lower id), and
// returns idx[:k]. It runs in O(len(idx) + k log k) without allocating.
func SelectTopK(logits []float32, idx []int, k int) []int {
	if k <= 0 || k > len(idx) {
		k = len(idx)
	}
	before := func(a, b int) bool {
		if logits[a] != logits[b] {
			return logits[a] > logits[b]
		}
		return a < b
	}
	if k < len(idx) {
		quickselect(idx, k, before)
	}
	insertionOrHeapSort(idx[:k], before)
	return idx[:k]
}

// quickselect partitions idx so its first k entries are the k "smallest"
// under before (i.e. the best k), in no particular order.
func quickselect(idx []int, k int, before func(a, b int) bool) {
	lo, hi := 0, len(idx)-1
	seed := uint32(len(idx))
	for lo < hi {
		// Median of three plus a cheap xorshift against adversarial input.
		seed ^= seed << 13
		seed ^= seed >> 17
		seed ^= seed << 5
		p := lo + int(seed%uint32(hi-lo+1))
		idx[p], idx[hi] = idx[hi], idx[p]
		pivot := idx[hi]
		store := lo
		for i := lo; i < hi; i++ {
			if before(idx[i], pivot) {
				idx[i], idx[store] = idx[store], idx[i]
				store++
			}
		}
		idx[store], idx[hi] = idx[hi], idx[store]
		switch {
		case store == k-1 || store == k:
			return
		case store < k:
			lo = store + 1
		default:
			hi = store - 1
		}
	}
}

// insertionOrHeapSort sorts x under before: insertion sort for short slices,
// heap sort otherwise (no allocation either way).
func insertionOrHeapSort(x []int, before func(a, b int) bool) {
	n := len(x)
	if n <= 32 {
		for i := 1; i < n; i++ {
			for j := i; j > 0 && before(x[j], x[j-1]); j-- {
				x[j], x[j-1] = x[j-1], x[j]
			}
		}
		return
	}
	// Heap sort with a min-heap under "before" reversed: build a heap where
	// the root is the worst element, then move roots to the end.
	down := func(i, n int) {
		for {
			c := 2*i + 1
			if c >= n {
				return
			}
			if c+1 < n && before(x[c], x[c+1]) {
				c++
			}
			if !before(x[i], x[c]) {
				return
			}
			x[i], x[c] = x[c], x[i]
			i = c
		}
	}
	// Root holds the element that is "latest" in the order (the worst).
	for i := n/2 - 1; i >= 0; i-- {
		down(i, n)
	}
	for end := n - 1; end > 0; end-- {
		x[0], x[end] = x[end], x[0]
		down(0, end)
	}
}

// TopPCut returns how many of the candidates, whose probabilities probs are
// sorted in descending order, form the smallest prefix whose total reaches
// p (at least 1). p <= 0 or p >= 1 keeps all.
func TopPCut(probs []float32, p float64) int {
	if p <= 0 || p >= 1 {
		return len(probs)
	}
	var cum float64
	for i, v := range probs {
		cum += float64(v)
		if cum >= p {
			return i + 1
		}
	}
	return len(probs)
}

// SampleIndex picks an index of probs with probability proportional to its
// value, given a uniform r in [0, 1).
func SampleIndex(probs []float32, r float64) int {
	var total float64
	for _, v := range probs {
		total += float64(v)
	}
	target := r * total
	var cum float64
	for i, v := range probs {
		cum += float64(v)
		if target < cum {
			return i
		}
	}
	// Rounding: return the last candidate with non-zero probability.
	for i := len(probs) - 1; i >= 0; i-- {
		if probs[i] > 0 {
			return i
		}
	}
	return len(probs) - 1
}
