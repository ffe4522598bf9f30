package policy

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// CalendarSpec describes a calendar in the policy data
// (data.config.calendars.definitions).
type CalendarSpec struct {
	Description string `json:"description,omitempty"`
	// TimeZone is an IANA name such as "Asia/Shanghai". Business hours,
	// holidays and make-up days are read in it.
	TimeZone string `json:"time_zone"`
	// AlwaysOpen makes every hour of every day working time, except the
	// holidays if any are listed. Week and WorkdayHours are then ignored.
	AlwaysOpen bool `json:"always_open,omitempty"`
	// Week gives the working hours of each weekday ("mon" … "sun") as
	// "HH:MM-HH:MM" intervals in order, e.g. ["09:00-12:00", "13:30-17:30"].
	// "24:00" ends a day.
	Week map[string][]string `json:"week,omitempty"`
	// Holidays are dates ("2026-10-01") without working time.
	Holidays []string `json:"holidays,omitempty"`
	// Workdays are make-up working days (调休): dates, usually weekend days,
	// that are worked with WorkdayHours, or Monday's hours when that is empty.
	Workdays     []string `json:"workdays,omitempty"`
	WorkdayHours []string `json:"workday_hours,omitempty"`
}

// Calendar is the working time of a department: a time zone, working hours
// per weekday, holidays and make-up working days. A deadline "48 hours"
// on a calendar ends when 48 hours of its working time have passed. On a
// calendar that is always open every instant counts.
//
// A Calendar is immutable and safe for concurrent use. The engine builds
// one per calendar and policy revision.
type Calendar struct {
	name string
	loc  *time.Location
	// always: every instant counts; Add and Working are plain arithmetic.
	always   bool
	week     [7][]span // by time.Weekday
	makeup   []span
	holidays map[civilDate]bool
	workdays map[civilDate]bool
}

// span is a working interval of a day in minutes after local midnight,
// [start, end), end at most 24*60.
type span struct{ start, end int }

// civilDate is a date in the calendar's time zone.
type civilDate struct {
	year  int
	month time.Month
	day   int
}

const minutesPerDay = 24 * 60

// NewCalendar builds a calendar from its description.
func NewCalendar(name string, spec CalendarSpec) (*Calendar, error) {
	fail := func(format string, args ...any) (*Calendar, error) {
		return nil, fmt.Errorf("calendar %s: %s", name, fmt.Sprintf(format, args...))
	}
	if spec.TimeZone == "" {
		return fail("time_zone is missing")
	}
	loc, err := time.LoadLocation(spec.TimeZone)
	if err != nil {
		return fail("time_zone %q is not a known IANA time zone", spec.TimeZone)
	}
	c := &Calendar{name: name, loc: loc, holidays: map[civilDate]bool{}, workdays: map[civilDate]bool{}}
	for i, s := range spec.Holidays {
		d, err := parseDate(s)
		if err != nil {
			return fail("holidays[%d]: %v", i, err)
		}
		c.holidays[d] = true
	}
	for i, s := range spec.Workdays {
		d, err := parseDate(s)
		if err != nil {
			return fail("workdays[%d]: %v", i, err)
		}
		if c.holidays[d] {
			return fail("workdays[%d]: %s is also a holiday", i, s)
		}
		c.workdays[d] = true
	}
	if spec.AlwaysOpen {
		for wd := range c.week {
			c.week[wd] = []span{{0, minutesPerDay}}
		}
		c.makeup = c.week[time.Monday]
		c.always = len(c.holidays) == 0
		return c, nil
	}
	for _, key := range sortedKeys(spec.Week) {
		wd := slices.Index(weekdayKeys, key)
		if wd < 0 {
			return fail("week.%s: not a weekday; use %s", key, strings.Join(weekdayKeys, ", "))
		}
		spans, err := parseSpans(spec.Week[key])
		if err != nil {
			return fail("week.%s: %v", key, err)
		}
		c.week[wd] = spans
	}
	c.makeup = c.week[time.Monday]
	if len(spec.WorkdayHours) > 0 {
		if c.makeup, err = parseSpans(spec.WorkdayHours); err != nil {
			return fail("workday_hours: %v", err)
		}
	}
	if len(c.workdays) > 0 && len(c.makeup) == 0 {
		return fail("workdays are listed but neither workday_hours nor Monday has working hours")
	}
	open := false
	for _, s := range c.week {
		open = open || len(s) > 0
	}
	if !open {
		return fail("has no working hours: give week hours or always_open")
	}
	return c, nil
}

// parseSpans reads "HH:MM-HH:MM" intervals, which must be in order and
// must not overlap.
func parseSpans(list []string) ([]span, error) {
	var out []span
	for i, s := range list {
		from, to, ok := strings.Cut(s, "-")
		a, errA := parseClock(from)
		b, errB := parseClock(to)
		if !ok || errA != nil || errB != nil || a >= b {
			return nil, fmt.Errorf("[%d]: %q is not an interval like \"09:00-12:00\"", i, s)
		}
		if len(out) > 0 && a < out[len(out)-1].end {
			return nil, fmt.Errorf("[%d]: %q starts before the previous interval ends", i, s)
		}
		out = append(out, span{a, b})
	}
	return out, nil
}

func parseClock(s string) (int, error) {
	s = strings.TrimSpace(s)
	if len(s) != 5 || s[2] != ':' {
		return 0, errors.New("not HH:MM")
	}
	h, m := atoi2(s[0:2]), atoi2(s[3:5])
	if h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, errors.New("not HH:MM")
	}
	return h*60 + m, nil
}

func atoi2(s string) int {
	if s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' {
		return -1
	}
	return int(s[0]-'0')*10 + int(s[1]-'0')
}

func parseDate(s string) (civilDate, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return civilDate{}, fmt.Errorf("%q is not a date like \"2026-10-01\"", s)
	}
	return civilDate{t.Year(), t.Month(), t.Day()}, nil
}

// Name returns the calendar's name in the policy data.
func (c *Calendar) Name() string { return c.name }

// Location returns the calendar's time zone.
func (c *Calendar) Location() *time.Location { return c.loc }

// spans returns the working intervals of a local date.
func (c *Calendar) spans(d civilDate, wd time.Weekday) []span {
	if c.holidays[d] {
		return nil
	}
	if c.workdays[d] {
		return c.makeup
	}
	return c.week[wd]
}

// at returns the instant of a minute of a local date. Minutes past the
// day's end roll over, so 24:00 is the next midnight; wall times a DST
// change skips are normalised by time.Date.
func (c *Calendar) at(d civilDate, minute int) time.Time {
	return time.Date(d.year, d.month, d.day, 0, minute, 0, 0, c.loc)
}

// next returns the following date and weekday without time zone lookups.
func next(d civilDate, wd time.Weekday) (civilDate, time.Weekday) {
	d.day++
	if d.day > daysIn(d.year, d.month) {
		d.day = 1
		d.month++
		if d.month > time.December {
			d.month = time.January
			d.year++
		}
	}
	return d, (wd + 1) % 7
}

func daysIn(year int, m time.Month) int {
	switch m {
	case time.February:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

func (c *Calendar) dateOf(t time.Time) (civilDate, time.Weekday) {
	lt := t.In(c.loc)
	y, m, d := lt.Date()
	return civilDate{y, m, d}, lt.Weekday()
}

// maxCalendarDays bounds the search for working time. NewCalendar ensures
// every week has some, and holidays are finite, so it is never reached.
const maxCalendarDays = 200 * 366

// Add returns the instant when work of working time has passed after
// start: the earliest t with Working(start, t) == work. It walks whole days,
// so its cost grows with the number of days, not the length of the limit in
// minutes. A start outside working hours counts from the next opening.
func (c *Calendar) Add(start time.Time, work time.Duration) time.Time {
	if work <= 0 {
		return start
	}
	if c.always {
		return start.Add(work)
	}
	remaining := work
	d, wd := c.dateOf(start)
	for range maxCalendarDays {
		for _, s := range c.spans(d, wd) {
			to := c.at(d, s.end)
			if !to.After(start) {
				continue
			}
			from := c.at(d, s.start)
			if from.Before(start) {
				from = start
			}
			if avail := to.Sub(from); remaining <= avail {
				return from.Add(remaining)
			} else {
				remaining -= avail
			}
		}
		d, wd = next(d, wd)
	}
	panic("policy: calendar " + c.name + " has no working time")
}

// Working returns the working time in [from, to); 0 when to is not after
// from.
func (c *Calendar) Working(from, to time.Time) time.Duration {
	if !to.After(from) {
		return 0
	}
	if c.always {
		return to.Sub(from)
	}
	var total time.Duration
	d, wd := c.dateOf(from)
	for range maxCalendarDays {
		if !c.at(d, 0).Before(to) {
			break
		}
		for _, s := range c.spans(d, wd) {
			a, b := c.at(d, s.start), c.at(d, s.end)
			if a.Before(from) {
				a = from
			}
			if b.After(to) {
				b = to
			}
			if b.After(a) {
				total += b.Sub(a)
			}
		}
		d, wd = next(d, wd)
	}
	return total
}
