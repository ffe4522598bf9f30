package anonymize

import (
	"regexp"
	"sort"
	"strings"
)

// Placeholder names what was removed, in the reader's language.
type Placeholder struct {
	Name, Phone, Email, IDNumber, CardNumber, Address string
}

// Chinese and English placeholders.
var (
	Chinese = Placeholder{Name: "〔姓名〕", Phone: "〔电话〕", Email: "〔邮箱〕", IDNumber: "〔证件号〕", CardNumber: "〔卡号〕", Address: "〔地址〕"}
	English = Placeholder{Name: "[name]", Phone: "[phone]", Email: "[email]", IDNumber: "[ID number]", CardNumber: "[card number]", Address: "[address]"}
)

// Known are the personal values a case holds; each occurrence in the text
// is replaced. Empty fields are ignored.
type Known struct {
	Name, Phone, Email, Address string
}

// The patterns, most specific first: an ID card number would otherwise be
// taken for a phone or card number.
var (
	email = regexp.MustCompile(`[A-Za-z0-9._%+\-]+@[A-Za-z0-9.\-]+\.[A-Za-z]{2,}`)
	// 18-digit mainland resident ID: 17 digits and a digit or X.
	idNumber = regexp.MustCompile(`\b\d{17}[\dXx]\b|\d{17}[\dXx]`)
	// Bank cards: 16 to 19 digits, optionally grouped by spaces or dashes.
	cardNumber = regexp.MustCompile(`\d{4}(?:[ \-]?\d{4}){3}(?:[ \-]?\d{1,3})?`)
	// Mainland mobiles (optionally +86), landlines with area code, and
	// international numbers; separators allowed.
	phone = regexp.MustCompile(`(?:\+?86[ \-]?)?1[3-9]\d[ \-]?\d{4}[ \-]?\d{4}|0\d{2,3}[ \-]?\d{7,8}|\+\d{1,3}[ \-]?\d[\d \-]{6,14}\d`)
	// Self-introductions: "我叫张三", "本人李四", "my name is Jane Doe".
	zhIntro = regexp.MustCompile(`(我叫|我是|本人|我的名字是|姓名[:：]?)\s*(\p{Han}{2,4})`)
	enIntro = regexp.MustCompile(`(?i)(my name is|i am|i'm)\s+([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)`)
)

// Text returns s with personal data replaced by placeholders.
func Text(s string, known Known, p Placeholder) string {
	if s == "" {
		return s
	}
	// Known values first, longest first, so that an address containing a
	// name is replaced whole.
	type value struct{ text, placeholder string }
	var values []value
	for _, v := range []value{{known.Address, p.Address}, {known.Email, p.Email}, {known.Phone, p.Phone}, {known.Name, p.Name}} {
		if v.text = strings.TrimSpace(v.text); len([]rune(v.text)) >= 2 {
			values = append(values, v)
		}
	}
	sort.SliceStable(values, func(i, j int) bool { return len(values[i].text) > len(values[j].text) })
	for _, v := range values {
		s = strings.ReplaceAll(s, v.text, v.placeholder)
	}
	s = email.ReplaceAllString(s, p.Email)
	s = idNumber.ReplaceAllString(s, p.IDNumber)
	s = cardNumber.ReplaceAllString(s, p.CardNumber)
	s = phone.ReplaceAllString(s, p.Phone)
	s = zhIntro.ReplaceAllString(s, "${1}"+p.Name)
	s = enIntro.ReplaceAllStringFunc(s, func(m string) string {
		parts := enIntro.FindStringSubmatch(m)
		// "I am worried" is not a name: only a capitalised word counts,
		// which the pattern already requires; keep the lead-in.
		return parts[1] + " " + p.Name
	})
	return s
}
