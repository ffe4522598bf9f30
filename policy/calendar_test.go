package policy

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var officeWeek = map[string][]string{
	"mon": {"09:00-12:00", "13:30-17:30"},
	"tue": {"09:00-12:00", "13:30-17:30"},
	"wed": {"09:00-12:00", "13:30-17:30"},
	"thu": {"09:00-12:00", "13:30-17:30"},
	"fri": {"09:00-12:00", "13:30-17:30"},
}

// officeCalendar is the business-hours example: 7 working hours a day,
// with the 2026 Labour Day holiday (1–5 May) and its make-up Saturday (9 May).
func officeCalendar(t testing.TB, zone string) *Calendar {
	t.Helper()
	c, err := NewCalendar("office", CalendarSpec{
		TimeZone: zone,
		Week:     officeWeek,
		Holidays: []string{"2026-05-01", "2026-05-02", "2026-05-03", "2026-05-04", "2026-05-05"},
		Workdays: []string{"2026-05-09"},
	})
	require.NoError(t, err)
	return c
}

func at(t testing.TB, zone, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	require.NoError(t, err)
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	require.NoError(t, err)
	return v
}

func TestCalendarAlwaysOpen(t *testing.T) {
	t.Parallel()
	c, err := NewCalendar("calendar_hours", CalendarSpec{TimeZone: "Asia/Shanghai", AlwaysOpen: true})
	require.NoError(t, err)
	start := at(t, "Asia/Shanghai", "2026-05-01 23:30") // a holiday counts too: none are listed
	require.Equal(t, start.Add(48*time.Hour), c.Add(start, 48*time.Hour))
	require.Equal(t, 48*time.Hour, c.Working(start, start.Add(48*time.Hour)))
	require.Equal(t, time.Duration(0), c.Working(start, start.Add(-time.Hour)))
	require.Equal(t, "calendar_hours", c.Name())
	require.Equal(t, "Asia/Shanghai", c.Location().String())
}

func TestCalendarAlwaysOpenWithHolidays(t *testing.T) {
	t.Parallel()
	c, err := NewCalendar("days", CalendarSpec{TimeZone: "Asia/Shanghai", AlwaysOpen: true, Holidays: []string{"2026-10-01"}})
	require.NoError(t, err)
	start := at(t, "Asia/Shanghai", "2026-09-30 12:00")
	// 12 hours on the 30th, the 1st skipped, 12 hours on the 2nd.
	require.Equal(t, at(t, "Asia/Shanghai", "2026-10-02 12:00"), c.Add(start, 24*time.Hour))
	require.Equal(t, 24*time.Hour, c.Working(start, at(t, "Asia/Shanghai", "2026-10-02 12:00")))
}

func TestCalendarBusinessHours(t *testing.T) {
	t.Parallel()
	const sh = "Asia/Shanghai"
	c := officeCalendar(t, sh)
	for _, tc := range []struct {
		name, start string
		work        time.Duration
		want        string
	}{
		{"within the morning", "2026-04-27 09:30", 2 * time.Hour, "2026-04-27 11:30"},
		{"over lunch", "2026-04-27 11:00", 2 * time.Hour, "2026-04-27 14:30"},
		{"ends exactly at noon", "2026-04-27 09:00", 3 * time.Hour, "2026-04-27 12:00"},
		{"starts before opening", "2026-04-27 07:00", time.Hour, "2026-04-27 10:00"},
		{"starts at lunch", "2026-04-27 12:45", 30 * time.Minute, "2026-04-27 14:00"},
		{"starts after closing", "2026-04-27 19:00", time.Hour, "2026-04-28 10:00"},
		{"a full day is 7 hours", "2026-04-27 09:00", 7 * time.Hour, "2026-04-27 17:30"},
		{"7.5 hours end the next morning", "2026-04-27 09:00", 7*time.Hour + 30*time.Minute, "2026-04-28 09:30"},
		{"Friday into Monday", "2026-04-24 16:30", 2 * time.Hour, "2026-04-27 10:00"},
		{"starts on Saturday", "2026-04-25 10:00", time.Hour, "2026-04-27 10:00"},
		// Thu 30 April 16:30: one hour that day, then the holiday 1–5 May
		// and the weekend... 6 May is Wednesday.
		{"over the Labour Day holiday", "2026-04-30 16:30", 2 * time.Hour, "2026-05-06 10:00"},
		{"starts on a holiday", "2026-05-03 10:00", time.Hour, "2026-05-06 10:00"},
		// Fri 8 May 17:00: half an hour, then the make-up Saturday 9 May.
		{"onto the make-up Saturday", "2026-05-08 17:00", time.Hour, "2026-05-09 09:30"},
		// 27–30 April (28 h), 6 and 7 May (42 h), 6 more hours on 8 May.
		{"48 working hours", "2026-04-27 09:00", 48 * time.Hour, "2026-05-08 16:30"},
		{"zero work", "2026-04-25 10:00", 0, "2026-04-25 10:00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start, want := at(t, sh, tc.start), at(t, sh, tc.want)
			require.Equal(t, want, c.Add(start, tc.work))
			require.Equal(t, tc.work, c.Working(start, want))
		})
	}
}

func TestCalendarWorkingDays(t *testing.T) {
	t.Parallel()
	const sh = "Asia/Shanghai"
	c := officeCalendar(t, sh)
	day := 7 * time.Hour
	for d, want := range map[string]time.Duration{
		"2026-04-30": day, // Thursday
		"2026-05-01": 0,   // Labour Day
		"2026-05-05": 0,   // holiday on a Tuesday
		"2026-05-06": day, // Wednesday
		"2026-05-09": day, // make-up Saturday, worked with Monday's hours
		"2026-05-10": 0,   // Sunday
	} {
		require.Equal(t, want, c.Working(at(t, sh, d+" 00:00"), at(t, sh, d+" 23:59")), d)
	}
	// A whole week with the holiday: 27 April to 10 May is 8 working days.
	require.Equal(t, 8*day, c.Working(at(t, sh, "2026-04-27 00:00"), at(t, sh, "2026-05-11 00:00")))
}

func TestCalendarTimeZones(t *testing.T) {
	t.Parallel()
	sh := officeCalendar(t, "Asia/Shanghai")
	ny := officeCalendar(t, "America/New_York")
	// 09:00 in Shanghai on Monday is 21:00 on Sunday in New York: New York
	// starts counting at its own Monday 09:00.
	start := at(t, "Asia/Shanghai", "2026-04-27 09:00")
	require.Equal(t, at(t, "Asia/Shanghai", "2026-04-27 10:00"), sh.Add(start, time.Hour))
	require.Equal(t, at(t, "America/New_York", "2026-04-27 10:00"), ny.Add(start, time.Hour))
	require.True(t, ny.Add(start, time.Hour).Equal(at(t, "Asia/Shanghai", "2026-04-27 22:00")))
}

func TestCalendarDaylightSaving(t *testing.T) {
	t.Parallel()
	// Berlin springs forward on Sunday 29 March 2026 (02:00 → 03:00) and
	// falls back on Sunday 25 October (03:00 → 02:00).
	const be = "Europe/Berlin"
	office := officeCalendar(t, be)
	// Business hours are wall-clock hours: Friday 16:30 plus 2 working hours
	// is Monday 10:00 across the change, and Monday still has 7 hours.
	require.Equal(t, at(t, be, "2026-03-30 10:00"), office.Add(at(t, be, "2026-03-27 16:30"), 2*time.Hour))
	require.Equal(t, 7*time.Hour, office.Working(at(t, be, "2026-03-30 00:00"), at(t, be, "2026-03-31 00:00")))

	// Around the clock, the spring day has 23 hours and the autumn day 25.
	clock, err := NewCalendar("clock", CalendarSpec{TimeZone: be, AlwaysOpen: true, Holidays: []string{"2030-01-01"}})
	require.NoError(t, err)
	require.False(t, clock.always, "holidays make the calendar walk days")
	require.Equal(t, 23*time.Hour, clock.Working(at(t, be, "2026-03-29 00:00"), at(t, be, "2026-03-30 00:00")))
	require.Equal(t, 25*time.Hour, clock.Working(at(t, be, "2026-10-25 00:00"), at(t, be, "2026-10-26 00:00")))
	// 24 hours of working time from Saturday noon end on Sunday 13:00 local
	// time in spring: the night lost an hour.
	require.Equal(t, at(t, be, "2026-03-29 13:00"), clock.Add(at(t, be, "2026-03-28 12:00"), 24*time.Hour))

	// A night shift 01:00–03:00 on the spring day is one real hour in New
	// York (02:00–03:00 does not exist on 8 March 2026).
	const nyz = "America/New_York"
	night, err := NewCalendar("night", CalendarSpec{TimeZone: nyz, Week: map[string][]string{"sun": {"01:00-03:00"}}})
	require.NoError(t, err)
	require.Equal(t, time.Hour, night.Working(at(t, nyz, "2026-03-08 00:00"), at(t, nyz, "2026-03-09 00:00")))
	require.Equal(t, 2*time.Hour, night.Working(at(t, nyz, "2026-03-15 00:00"), at(t, nyz, "2026-03-16 00:00")))
}

func TestCalendarLongLimitsSkipDays(t *testing.T) {
	t.Parallel()
	c := officeCalendar(t, "Asia/Shanghai")
	start := at(t, "Asia/Shanghai", "2026-01-05 09:00")
	// 60 working days of 7 hours.
	due := c.Add(start, 60*7*time.Hour)
	require.Equal(t, 60*7*time.Hour, c.Working(start, due))
	require.True(t, due.After(start.AddDate(0, 2, 0)), "60 working days take more than two months: %v", due)
	// Ten years of working time are found without walking minutes.
	far := c.Add(start, 10*250*7*time.Hour)
	require.True(t, far.After(start.AddDate(9, 0, 0)))
}

// TestCalendarAddWorkingInverse checks, on random starts, limits and
// calendars, that Add and Working are inverse: Working(s, Add(s, w)) == w,
// and Add(s, Working(s, t)) is no later than t.
func TestCalendarAddWorkingInverse(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(1, 2))
	cals := []*Calendar{officeCalendar(t, "Asia/Shanghai"), officeCalendar(t, "Europe/Berlin"), officeCalendar(t, "America/New_York")}
	clock, err := NewCalendar("clock", CalendarSpec{TimeZone: "America/New_York", AlwaysOpen: true, Holidays: []string{"2026-11-26"}})
	require.NoError(t, err)
	cals = append(cals, clock)
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 2000 {
		c := cals[i%len(cals)]
		start := base.Add(time.Duration(rng.Int64N(int64(365 * 24 * time.Hour))))
		work := time.Duration(rng.Int64N(int64(200 * time.Hour)))
		due := c.Add(start, work)
		require.Equal(t, work, c.Working(start, due), "%s from %v + %v = %v", c.Name(), start, work, due)
		end := start.Add(time.Duration(rng.Int64N(int64(30 * 24 * time.Hour))))
		require.False(t, c.Add(start, c.Working(start, end)).After(end), "%s from %v to %v", c.Name(), start, end)
	}
}

func FuzzCalendarAddWorking(f *testing.F) {
	f.Add(int64(0), int64(time.Hour))
	f.Add(int64(90*24*time.Hour), int64(48*time.Hour))
	c := officeCalendar(f, "Europe/Berlin")
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, offset, work int64) {
		if offset < 0 || offset > int64(5*365*24*time.Hour) || work < 0 || work > int64(1000*time.Hour) {
			t.Skip()
		}
		start := base.Add(time.Duration(offset))
		due := c.Add(start, time.Duration(work))
		if got := c.Working(start, due); got != time.Duration(work) {
			t.Fatalf("Working(%v, Add(%v, %v) = %v) = %v", start, start, time.Duration(work), due, got)
		}
	})
}

func TestNewCalendarRefusesBadSpecs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		spec CalendarSpec
		want string
	}{
		{CalendarSpec{}, "time_zone is missing"},
		{CalendarSpec{TimeZone: "Mars/Olympus"}, `time_zone "Mars/Olympus" is not a known IANA time zone`},
		{CalendarSpec{TimeZone: "UTC"}, "has no working hours"},
		{CalendarSpec{TimeZone: "UTC", Week: map[string][]string{"monday": {"09:00-17:00"}}}, "week.monday: not a weekday"},
		{CalendarSpec{TimeZone: "UTC", Week: map[string][]string{"mon": {"9-17"}}}, `week.mon: [0]: "9-17" is not an interval`},
		{CalendarSpec{TimeZone: "UTC", Week: map[string][]string{"mon": {"13:00-12:00"}}}, "is not an interval"},
		{CalendarSpec{TimeZone: "UTC", Week: map[string][]string{"mon": {"09:00-12:00", "11:00-13:00"}}}, "starts before the previous interval ends"},
		{CalendarSpec{TimeZone: "UTC", Week: map[string][]string{"mon": {"09:00-24:30"}}}, "is not an interval"},
		{CalendarSpec{TimeZone: "UTC", AlwaysOpen: true, Holidays: []string{"2026-13-01"}}, `holidays[0]: "2026-13-01" is not a date`},
		{CalendarSpec{TimeZone: "UTC", AlwaysOpen: true, Holidays: []string{"2026-10-01"}, Workdays: []string{"2026-10-01"}}, "also a holiday"},
		{CalendarSpec{TimeZone: "UTC", Week: map[string][]string{"tue": {"09:00-17:00"}}, Workdays: []string{"2026-10-10"}}, "neither workday_hours nor Monday"},
	} {
		_, err := NewCalendar("x", tc.spec)
		require.ErrorContains(t, err, tc.want, "%+v", tc.spec)
	}
	c, err := NewCalendar("x", CalendarSpec{TimeZone: "UTC", Week: map[string][]string{"sat": {"00:00-24:00"}}, Workdays: []string{"2026-10-07"}, WorkdayHours: []string{"10:00-11:00"}})
	require.NoError(t, err)
	require.Equal(t, time.Hour, c.Working(time.Date(2026, 10, 7, 0, 0, 0, 0, time.UTC), time.Date(2026, 10, 8, 0, 0, 0, 0, time.UTC)))
}
