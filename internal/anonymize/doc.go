// Package anonymize removes personal data from free text before people who
// must not see it read it: oversight members read case subjects, bodies,
// notes and replies anonymised.
//
// It replaces what can be recognised reliably — e-mail addresses, telephone
// numbers, mainland ID card numbers, bank card numbers — and every
// occurrence of the values the case itself knows to be personal (the
// petitioner's name, phone, e-mail and address), plus a name introduced by
// a self-introduction ("我叫…", "my name is …"). It cannot recognise every
// name a petitioner writes about someone else; that limit is stated where
// oversight members read the text.
package anonymize
