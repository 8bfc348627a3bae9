package sqlutil

import (
	"time"

	"github.com/passengine/passengine/calendar"
)

// appendDigits writes v into b as n decimal digits, zero-padded.
func appendDigits(b []byte, v, n int) {
	for i := n - 1; i >= 0; i-- {
		b[i] = byte('0' + v%10)
		v /= 10
	}
}

// formatLayout returns t (in UTC) in TimeLayout, written digit by digit,
// and false for a year TimeLayout's four digits cannot hold (time.Format
// then writes it).
func formatLayout(t time.Time) (string, bool) {
	y, mo, d := t.Date()
	if y < 0 || y > 9999 {
		return "", false
	}
	h, mi, s := t.Clock()
	var b [len(TimeLayout)]byte
	appendDigits(b[0:4], y, 4)
	b[4] = '-'
	appendDigits(b[5:7], int(mo), 2)
	b[7] = '-'
	appendDigits(b[8:10], d, 2)
	b[10] = 'T'
	appendDigits(b[11:13], h, 2)
	b[13] = ':'
	appendDigits(b[14:16], mi, 2)
	b[16] = ':'
	appendDigits(b[17:19], s, 2)
	b[19] = '.'
	appendDigits(b[20:29], t.Nanosecond(), 9)
	b[29] = 'Z'
	return string(b[:]), true
}

// digits returns the number s[i:j] spells in decimal digits, and false
// when a byte of it is not a digit.
func digits(s string, i, j int) (int, bool) {
	v := 0
	for ; i < j; i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + int(c-'0')
	}
	return v, true
}

// parseLayout returns the instant s spells in TimeLayout exactly (UTC),
// and false for any other text, and for a field out of its range
// (time.Parse then reads it, or says what is wrong).
func parseLayout(s string) (time.Time, bool) {
	if len(s) != len(TimeLayout) || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
		s[19] != '.' || s[29] != 'Z' {
		return time.Time{}, false
	}
	y, ok1 := digits(s, 0, 4)
	mo, ok2 := digits(s, 5, 7)
	d, ok3 := digits(s, 8, 10)
	h, ok4 := digits(s, 11, 13)
	mi, ok5 := digits(s, 14, 16)
	sec, ok6 := digits(s, 17, 19)
	ns, ok7 := digits(s, 20, 29)
	if !ok1 || !ok2 || !ok3 || !ok4 || !ok5 || !ok6 || !ok7 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, ns, time.UTC)
	if t.Day() != d { // past the month's last day: time.Date moved it on
		return time.Time{}, false
	}
	return t, true
}

// formatDate returns d as "YYYY-MM-DD", written digit by digit, and false
// for a field those digits cannot hold (Date.String then writes it).
func formatDate(d calendar.Date) (string, bool) {
	if d.Year < 0 || d.Year > 9999 || d.Month < 0 || d.Month > 99 || d.Day < 0 || d.Day > 99 {
		return "", false
	}
	var b [len(time.DateOnly)]byte
	appendDigits(b[0:4], d.Year, 4)
	b[4] = '-'
	appendDigits(b[5:7], int(d.Month), 2)
	b[7] = '-'
	appendDigits(b[8:10], d.Day, 2)
	return string(b[:]), true
}

// parseDate returns the date s spells as "YYYY-MM-DD" exactly, and false
// for any other text and a day the month does not have (time.Parse then
// says what is wrong).
func parseDate(s string) (calendar.Date, bool) {
	if len(s) != len(time.DateOnly) || s[4] != '-' || s[7] != '-' {
		return calendar.Date{}, false
	}
	y, ok1 := digits(s, 0, 4)
	mo, ok2 := digits(s, 5, 7)
	d, ok3 := digits(s, 8, 10)
	if !ok1 || !ok2 || !ok3 || mo < 1 || mo > 12 || d < 1 {
		return calendar.Date{}, false
	}
	t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d {
		return calendar.Date{}, false
	}
	return calendar.DateOf(t), true
}
