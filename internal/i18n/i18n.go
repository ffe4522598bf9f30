// Package i18n decides the language a caller is answered in. xinfang
// speaks Simplified Chinese (the default) and English.
package i18n

import (
	"context"
	"strings"
)

// Locale is a language the API answers in.
type Locale string

// The supported locales.
const (
	Chinese Locale = "zh-CN"
	English Locale = "en"
)

// Default is the locale used when the caller names none we support.
const Default = Chinese

// Parse maps a language tag such as "en-GB" or "zh-Hans-CN" to a supported
// locale, and reports whether it was recognised.
func Parse(tag string) (Locale, bool) {
	tag = strings.ToLower(strings.TrimSpace(tag))
	switch {
	case tag == "":
		return Default, false
	case strings.HasPrefix(tag, "zh"):
		return Chinese, true
	case tag == "en" || strings.HasPrefix(tag, "en-") || strings.HasPrefix(tag, "en_"):
		return English, true
	}
	return Default, false
}

// Negotiate picks the locale from an Accept-Language header, honouring
// quality values; it returns Default when nothing matches.
func Negotiate(acceptLanguage string) Locale {
	best, bestQ := Default, -1.0
	for _, part := range strings.Split(acceptLanguage, ",") {
		tag, q := part, 1.0
		if i := strings.Index(part, ";"); i >= 0 {
			tag = part[:i]
			q = parseQuality(part[i+1:])
		}
		if loc, ok := Parse(tag); ok && q > bestQ {
			best, bestQ = loc, q
		}
	}
	return best
}

func parseQuality(param string) float64 {
	param = strings.TrimSpace(param)
	if !strings.HasPrefix(param, "q=") {
		return 1
	}
	var q float64
	var scale float64 = 1
	seenDot := false
	for _, c := range param[2:] {
		switch {
		case c == '.':
			seenDot = true
		case c >= '0' && c <= '9':
			if seenDot {
				scale /= 10
				q += float64(c-'0') * scale
			} else {
				q = q*10 + float64(c-'0')
			}
		default:
			return 0
		}
	}
	return q
}

type contextKey struct{}

// WithLocale returns a context that carries the caller's locale.
func WithLocale(ctx context.Context, loc Locale) context.Context {
	return context.WithValue(ctx, contextKey{}, loc)
}

// FromContext returns the caller's locale, or Default.
func FromContext(ctx context.Context) Locale {
	if loc, ok := ctx.Value(contextKey{}).(Locale); ok {
		return loc
	}
	return Default
}
