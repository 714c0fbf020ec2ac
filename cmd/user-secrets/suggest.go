package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/go-user-secrets/user-secrets/core"
)

// maxSuggestDistance is the largest edit distance at which a stored key is
// suggested for a missing one.
const maxSuggestDistance = 2

// nearKey returns the stored key closest to key, for a "did you mean"; ok
// is false when none is near. Keys are compared without regard to case:
// one that differs from key only in case is the nearest, then a singular
// or plural of it ("API_KEYS" for "API_KEY", "PROXIES" for "PROXY"), then
// one at the smallest edit distance, at most maxSuggestDistance and at
// most half the shorter key's length, so that "A" does not suggest "B".
// Ties go to the key that comes first in keys. Only names are compared,
// never values.
func nearKey(key string, keys []string) (near string, ok bool) {
	best := maxSuggestDistance + 1
	uk := strings.ToUpper(key)
	for _, k := range keys {
		if k == key {
			continue
		}
		uc := strings.ToUpper(k)
		var d int
		switch {
		case uc == uk:
			d = 0
		case singular(uc) == singular(uk):
			d = 1
		default:
			d = editDistance(uk, uc, best)
			if 2*d > min(len([]rune(uk)), len([]rune(uc))) {
				continue
			}
		}
		if d < best {
			near, best, ok = k, d, true
		}
	}
	return near, ok
}

// singular drops a plural ending from an upper-case key: "IES" becomes
// "Y", a final "S" goes.
func singular(k string) string {
	if s, ok := strings.CutSuffix(k, "IES"); ok {
		return s + "Y"
	}
	return strings.TrimSuffix(k, "S")
}

// editDistance is the Levenshtein distance between a and b, counted in
// characters; any distance of limit or more is reported as limit.
func editDistance(a, b string, limit int) int {
	ra, rb := []rune(a), []rune(b)
	if abs(len(ra)-len(rb)) >= limit {
		return limit
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			rowMin = min(rowMin, cur[j])
		}
		if rowMin >= limit {
			return limit
		}
		prev, cur = cur, prev
	}
	return min(prev[len(rb)], limit)
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// notFoundError is a *core.NotFoundError with a "did you mean" for the
// missing keys that have a near stored key. It names keys only.
type notFoundError struct {
	err     error    // matches core.ErrNotFound
	missing []string // the missing keys that have a near key
	near    []string // the near stored key of each
	all     int      // how many keys are missing
}

func (e *notFoundError) Error() string {
	if e.all == 1 {
		return fmt.Sprintf("%v; did you mean %q?", e.err, e.near[0])
	}
	hints := make([]string, len(e.near))
	for i := range e.near {
		hints[i] = fmt.Sprintf("%q for %q", e.near[i], e.missing[i])
	}
	return fmt.Sprintf("%v; did you mean %s?", e.err, strings.Join(hints, ", "))
}

func (e *notFoundError) Unwrap() error { return e.err }

// withSuggestions returns err with a "did you mean" for each key it names
// as missing that is near one of the store's keys; any other error, or a
// missing key with no near one, comes back as it is. The store is read
// again for its key names (no value is decrypted: an encrypted store needs
// no key for it); if that fails, err is returned unchanged.
func withSuggestions(err error, s *core.Store) error {
	var nf *core.NotFoundError
	if !errors.As(err, &nf) {
		return err
	}
	list, rerr := s.List()
	if rerr != nil || len(list) == 0 {
		return err
	}
	keys := make([]string, len(list))
	for i, k := range list {
		keys[i] = k.Key
	}
	sug := &notFoundError{err: err, all: len(nf.Keys)}
	for _, k := range nf.Keys {
		if near, ok := nearKey(k, keys); ok {
			sug.missing = append(sug.missing, k)
			sug.near = append(sug.near, near)
		}
	}
	if len(sug.near) == 0 {
		return err
	}
	return sug
}
