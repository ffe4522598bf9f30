package analytics

import (
	"context"
	"time"
)

// Event is one case event as the warehouse receives it: the event itself
// and the attributes of its case that evaluations group and filter by. The
// relay and `xinfang analytics rebuild` build it from case_events joined
// with cases; nothing in it identifies a petitioner.
type Event struct {
	// EventID is case_events.id; it makes delivery idempotent.
	EventID    int64
	CaseID     int64
	Seq        int32
	Type       string // a case event type, e.g. "SUBMITTED"
	OccurredAt time.Time
	ActorKind  string // STAFF, PETITIONER or SYSTEM
	FromStatus string // "" for the first event
	ToStatus   string

	// Attributes of the case when the event was delivered.
	Channel          string
	Kind             string
	Priority         string
	DepartmentID     int64
	CategoryID       int64 // 0 when none
	ServiceProjectID int64 // 0 when none
	// PetitionerKey is a keyed hash of the petitioner's record, "" for an
	// anonymous case: enough to count repeat petitioners, nothing more.
	PetitionerKey string
	ReceivedAt    time.Time
	// ReviewRound is the case's review round after the event: a
	// REVIEW_REQUESTED event carries the round it opened (1 or 2).
	ReviewRound int32

	// Facts carried by some event types (zero otherwise).
	Rating         int8      // RATED: 1–5
	Outcome        string    // RESPONDED: SUPPORTED, EXPLAINED or NOT_SUPPORTED
	RespondDue     time.Time // RESPONDED: the response deadline in force (payload respondDue); zero when none
	Deadline       string    // DEADLINE_WARNING / DEADLINE_BREACHED: which deadline
	ExtensionHours int32     // EXTENSION_APPROVED: hours granted
}

// Granularity is the bucket size of a trend.
type Granularity string

// The trend bucket sizes.
const (
	Week  Granularity = "WEEK"
	Month Granularity = "MONTH"
)

// Query selects the cases an evaluation covers: those received in
// [From, To), optionally narrowed. Times are bucketed in Location.
type Query struct {
	From, To     time.Time
	DepartmentID int64  // 0: every department
	Channel      string // "": every channel
	Kind         string // "": every kind
	CategoryID   int64  // 0: every category
	Trend        Granularity
	TopN         int // how many categories and service projects to rank; 0 means 10
	Location     *time.Location
}

// Durations summarises a set of durations, in seconds.
type Durations struct {
	Count  int64
	Median float64
	P90    float64
}

// Ranked is one entry of a top-N list.
type Ranked struct {
	ID    int64
	Cases int64
}

// TrendPoint is one bucket of a trend.
type TrendPoint struct {
	Start              time.Time
	Received           int64
	Responded          int64
	WithinLimitShare   float64 // NaN-free: 0 when nothing was responded
	SatisfactionRate   float64
	MedianResponseSecs float64
}

// Figures are the evaluation figures of one period, as the package
// documentation defines them. Durations are in whole seconds.
type Figures struct {
	From, To time.Time

	Received       int64            // cases received in the period
	ByChannel      map[string]int64 // received, per channel
	ByKind         map[string]int64 // received, per kind
	Accepted       int64            // of those, accepted (at least once)
	Declined       int64            // of those, not accepted
	AcceptanceRate float64          // Accepted / (Accepted + Declined)

	TimeToAcknowledge   Durations // receipt → acknowledgement
	TimeToFirstResponse Durations // receipt → first RESPONDED
	TimeToResolution    Durations // receipt → first CLOSED

	Responded        int64   // cases with a response
	WithinLimit      int64   // responded no later than the deadline in force
	WithinLimitShare float64 // WithinLimit / Responded
	Breaches         int64   // cases with a DEADLINE_BREACHED event or a first response after its deadline
	Extensions       int64   // EXTENSION_APPROVED events of these cases

	Closed             int64
	Rated              int64   // cases with a rating (the latest counts)
	Satisfied          int64   // of those, rated 4 or 5
	SatisfactionRate   float64 // Satisfied / Rated
	SurveyResponseRate float64 // Rated / Closed

	Reviews      int64   // cases with a REVIEW_REQUESTED into round 1
	ReReviews    int64   // cases with a REVIEW_REQUESTED into round 2
	ReviewRate   float64 // Reviews / Closed
	ReReviewRate float64 // ReReviews / Reviews

	Petitioners       int64 // distinct identified petitioners
	RepeatPetitioners int64 // of those, with two or more cases in the period

	TopCategories      []Ranked
	TopServiceProjects []Ranked
	Trend              []TrendPoint
}

// Evaluation is the figures of a period next to those of the previous
// period of the same length.
type Evaluation struct {
	Current  Figures
	Previous Figures
	// EfficiencyGain compares median time to first response:
	// previous / current − 1 (the seed asks for +0.30). Nil when either
	// period has no response.
	EfficiencyGain *float64
}

// Warehouse stores case events and answers evaluation queries. The
// ClickHouse warehouse and the embedded one implement it with the same
// figures for the same events.
type Warehouse interface {
	// Ingest stores events. Delivering an event twice has no effect
	// beyond the first delivery.
	Ingest(ctx context.Context, events []Event) error
	// Evaluate computes the figures of q and of the previous period of
	// the same length.
	Evaluate(ctx context.Context, q Query) (*Evaluation, error)
	Close() error
}
