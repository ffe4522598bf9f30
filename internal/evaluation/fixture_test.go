package evaluation_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xinfang/xinfang/analytics"
	"github.com/xinfang/xinfang/internal/evaluation"
)

// Category and service project IDs of the hand-written figures.
const (
	serviceCategoryID = 8589934593
	unknownCategoryID = 8589934999
	eduProjectID      = 21474836481
)

// h is hours in seconds, the warehouse's unit.
func h(hours float64) float64 { return hours * 3600 }

// halfYearFigures are hand-written figures of 2026H1 and the half-year
// before: 300 cases against 200, answered faster (median 20 h against
// 30 h: +50% efficiency), 96% within the limit, 90% satisfied.
func halfYearFigures(loc *time.Location) *analytics.Evaluation {
	from := time.Date(2026, 1, 1, 0, 0, 0, 0, loc)
	to := time.Date(2026, 7, 1, 0, 0, 0, 0, loc)
	prevFrom := from.Add(-to.Sub(from)) // the same length just before
	var trend []analytics.TrendPoint
	for m := 0; m < 6; m++ {
		trend = append(trend, analytics.TrendPoint{
			Start: from.AddDate(0, m, 0), Received: int64(40 + 5*m), Responded: int64(35 + 5*m),
			WithinLimitShare: 0.9 + 0.01*float64(m), SatisfactionRate: 0.88, MedianResponseSecs: h(20),
		})
	}
	gain := 30.0/20.0 - 1
	return &analytics.Evaluation{
		Current: analytics.Figures{
			From: from, To: to,
			Received:  300,
			ByChannel: map[string]int64{"WEB": 150, "HOTLINE": 100, "EMAIL": 30, "LETTER": 20},
			ByKind:    map[string]int64{"COMPLAINT": 200, "SUGGESTION": 60, "INQUIRY": 40},
			Accepted:  280, Declined: 20, AcceptanceRate: 280.0 / 300,
			TimeToAcknowledge:   analytics.Durations{Count: 300, Median: 600, P90: 3600},
			TimeToFirstResponse: analytics.Durations{Count: 250, Median: h(20), P90: h(46)},
			TimeToResolution:    analytics.Durations{Count: 240, Median: h(30), P90: h(70)},
			Responded:           250, WithinLimit: 240, WithinLimitShare: 0.96, Breaches: 10, Extensions: 5,
			Closed: 240, Rated: 120, Satisfied: 108, SatisfactionRate: 0.9, SurveyResponseRate: 0.5,
			Reviews: 12, ReReviews: 3, ReviewRate: 0.05, ReReviewRate: 0.25,
			Petitioners: 260, RepeatPetitioners: 15,
			TopCategories:      []analytics.Ranked{{ID: serviceCategoryID, Cases: 120}, {ID: unknownCategoryID, Cases: 5}},
			TopServiceProjects: []analytics.Ranked{{ID: eduProjectID, Cases: 80}},
			Trend:              trend,
		},
		Previous: analytics.Figures{
			From: prevFrom, To: from,
			Received:  200,
			ByChannel: map[string]int64{"WEB": 120, "HOTLINE": 80},
			ByKind:    map[string]int64{"COMPLAINT": 150, "INQUIRY": 50},
			Accepted:  180, Declined: 20, AcceptanceRate: 0.9,
			TimeToAcknowledge:   analytics.Durations{Count: 200, Median: 900, P90: 5400},
			TimeToFirstResponse: analytics.Durations{Count: 180, Median: h(30), P90: h(60)},
			TimeToResolution:    analytics.Durations{Count: 170, Median: h(40), P90: h(90)},
			Responded:           180, WithinLimit: 150, WithinLimitShare: 150.0 / 180, Breaches: 30, Extensions: 8,
			Closed: 170, Rated: 60, Satisfied: 48, SatisfactionRate: 0.8, SurveyResponseRate: 60.0 / 170,
			Reviews: 10, ReReviews: 2, ReviewRate: 10.0 / 170, ReReviewRate: 0.2,
			Petitioners: 180, RepeatPetitioners: 12,
			TopCategories: []analytics.Ranked{{ID: serviceCategoryID, Cases: 90}},
		},
		EfficiencyGain: &gain,
	}
}

// names are the directory names of the figures' IDs; unknownCategoryID
// is deliberately missing.
var names = evaluation.Names{
	Categories: map[int64]evaluation.Name{
		serviceCategoryID: {ID: serviceCategoryID, Code: "SERVICE", Name: "服务质量", NameEn: "Service quality"},
	},
	ServiceProjects: map[int64]evaluation.Name{
		eduProjectID: {ID: eduProjectID, Code: "EDU", Name: "助学项目", NameEn: "Education aid"},
	},
}

// halfYear is the assembled 2026H1 evaluation of the whole organisation.
func halfYear(t *testing.T) *evaluation.Evaluation {
	t.Helper()
	loc := shanghai(t)
	p, err := evaluation.ParsePeriod("2026H1", loc)
	require.NoError(t, err)
	return evaluation.Assemble(p, evaluation.Filter{Trend: analytics.Month}, nil, halfYearFigures(loc), names)
}
