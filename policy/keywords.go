package policy

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// The routing policy decides what a keyword match means; finding the
// keywords of data.config.routing.keywords in a case's text is done here
// in Go, once per decision, because a Rego loop over every keyword of the
// table would cost more than the whole decision may take.
//
// Matching ignores the case of ASCII letters. A keyword that starts or ends
// with an ASCII letter or digit must match whole words at that end ("tax"
// does not match "taxi"); other keywords, such as Chinese ones, match
// anywhere. The text is scanned once: each position looks up the keywords
// that start with its character.

// keywordMatch is one keyword found in the text, as the routing policy
// receives it.
type keywordMatch struct {
	entry int    // index in data.config.routing.keywords
	word  string // the keyword as written in the table
	field string // "subject" or "body"
}

type keywordMatcher struct {
	entries int
	words   [][]string               // by entry, in list order (zh, then en)
	ascii   [utf8.RuneSelf][]keyword // by first byte
	other   map[rune][]keyword       // by first rune
}

type keyword struct {
	entry, index int    // entry in the table, position in the entry's list (zh, then en)
	word         string // as written
	lower        string // ASCII letters lowered
	wordBefore   bool   // must not follow an ASCII letter or digit
	wordAfter    bool   // must not be followed by one
}

// newKeywordMatcher reads the keyword table of the policy data (already
// checked against the schema).
func newKeywordMatcher(data map[string]any) (*keywordMatcher, error) {
	config, _ := data["config"].(map[string]any)
	routing, _ := config["routing"].(map[string]any)
	entries, ok := routing["keywords"].([]any)
	if !ok {
		return nil, fmt.Errorf("config.routing.keywords is not a list")
	}
	m := &keywordMatcher{entries: len(entries), words: make([][]string, len(entries)), other: map[rune][]keyword{}}
	for i, e := range entries {
		entry, _ := e.(map[string]any)
		index := 0
		for _, lang := range []string{"zh", "en"} {
			words, _ := entry[lang].([]any)
			for _, w := range words {
				s, _ := w.(string)
				if s == "" {
					continue
				}
				lower := asciiLower(s)
				first, _ := utf8.DecodeRuneInString(lower)
				last, _ := utf8.DecodeLastRuneInString(lower)
				k := keyword{entry: i, index: index, word: s, lower: lower,
					wordBefore: isWordByte(first), wordAfter: isWordByte(last)}
				index++
				m.words[i] = append(m.words[i], s)
				if first < utf8.RuneSelf {
					m.ascii[first] = append(m.ascii[first], k)
				} else {
					m.other[first] = append(m.other[first], k)
				}
			}
		}
	}
	return m, nil
}

func isWordByte[T rune | byte](c T) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// asciiLower lowers ASCII letters only, and copies s only when it has one
// to lower.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// match returns, in table order, the first keyword (in the entry's list)
// of each entry found in the subject, then the same for the body, leaving
// out entries already found in the subject.
func (m *keywordMatcher) match(subject, body string) []keywordMatch {
	var out []keywordMatch
	var stack [32]int
	best := stack[:0]
	if m.entries > len(stack) {
		best = make([]int, 0, m.entries)
	}
	best = best[:m.entries]
	var inSubject []bool
	for _, f := range [2]struct{ name, text string }{{"subject", subject}, {"body", body}} {
		if f.text == "" {
			continue
		}
		for i := range best {
			best[i] = -1
		}
		m.scan(asciiLower(f.text), best)
		for entry, index := range best {
			if index < 0 || (inSubject != nil && inSubject[entry]) {
				continue
			}
			out = append(out, keywordMatch{entry: entry, word: m.word(entry, index), field: f.name})
			if f.name == "subject" {
				if inSubject == nil {
					inSubject = make([]bool, m.entries)
				}
				inSubject[entry] = true
			}
		}
	}
	return out
}

// scan records in best, for every entry, the lowest index of its keywords
// found in text.
func (m *keywordMatcher) scan(text string, best []int) {
	for i := 0; i < len(text); {
		var cands []keyword
		size := 1
		if c := text[i]; c < utf8.RuneSelf {
			cands = m.ascii[c]
		} else {
			var r rune
			r, size = utf8.DecodeRuneInString(text[i:])
			cands = m.other[r]
		}
		for _, k := range cands {
			if b := best[k.entry]; (b < 0 || k.index < b) && matchesAt(text, i, k) {
				best[k.entry] = k.index
			}
		}
		i += size
	}
}

func matchesAt(text string, at int, k keyword) bool {
	if !strings.HasPrefix(text[at:], k.lower) {
		return false
	}
	if k.wordBefore && at > 0 && isWordByte(text[at-1]) {
		return false
	}
	end := at + len(k.lower)
	return !k.wordAfter || end == len(text) || !isWordByte(text[end])
}

func (m *keywordMatcher) word(entry, index int) string { return m.words[entry][index] }
