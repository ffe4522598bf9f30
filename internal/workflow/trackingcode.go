package workflow

import (
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/xinfang/xinfang/ent/migrate"
)

// A tracking code such as XF-2026-000123 names a case publicly. The number
// is one more than the case's offset in the cases table's ID range (ent gives each
// table its own range of global IDs), and the year is the year of receipt
// in the organisation's time zone. Deriving the code from the ID means no
// counter row that every submission must lock, and lookups need no extra
// index. The code reveals nothing by itself: the PIN is needed to open it.

// casesIDStart is the first ID of the cases table's range.
var casesIDStart = *migrate.CasesTable.Annotation.IncrementStart

// TrackingCode returns the public tracking code of a case.
func (s *Service) TrackingCode(id int, receivedAt time.Time) string {
	return FormatTrackingCode(id, receivedAt.In(s.location).Year())
}

// FormatTrackingCode formats a case ID and year as XF-YYYY-NNNNNN.
func FormatTrackingCode(id, year int) string {
	return fmt.Sprintf("XF-%04d-%06d", year, id-casesIDStart+1)
}

var trackingCodePattern = regexp.MustCompile(`^XF-(\d{4})-(\d{6,10})$`)

// ParseTrackingCode returns the case ID and year of a tracking code.
func ParseTrackingCode(code string) (id, year int, ok bool) {
	m := trackingCodePattern.FindStringSubmatch(code)
	if m == nil {
		return 0, 0, false
	}
	year, _ = strconv.Atoi(m[1])
	n, err := strconv.Atoi(m[2])
	if err != nil || n <= 0 {
		return 0, 0, false
	}
	return casesIDStart + n - 1, year, true
}
