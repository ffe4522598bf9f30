package i18n

import "testing"

func TestNegotiate(t *testing.T) {
	t.Parallel()
	cases := map[string]Locale{
		"":                             Chinese,
		"en":                           English,
		"en-GB,en;q=0.9":               English,
		"zh-CN,zh;q=0.9,en;q=0.8":      Chinese,
		"fr-FR,en;q=0.5":               English,
		"en;q=0.4,zh-Hans;q=0.9":       Chinese,
		"de-DE":                        Chinese,
		"EN-us":                        English,
		"zh-TW":                        Chinese,
		"en;q=0.8, zh;q=0.9, fr;q=1.0": Chinese,
	}
	for header, want := range cases {
		if got := Negotiate(header); got != want {
			t.Errorf("Negotiate(%q) = %s, want %s", header, got, want)
		}
	}
}
