package evaluation_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/xinfang/xinfang/analytics"
	"github.com/xinfang/xinfang/internal/evaluation"
)

func kpis(sc evaluation.Scorecard) map[string]evaluation.KPI {
	out := map[string]evaluation.KPI{}
	for _, k := range sc.KPIs {
		out[k.Key] = k
	}
	return out
}

func datum(k evaluation.KPI, key string) float64 {
	for _, d := range k.Data {
		if d.Key == key {
			return d.Value
		}
	}
	panic("no datum " + key + " in " + k.Key)
}

// TestScorecardAfterTheHalfYear: the good half-year, judged after its end.
func TestScorecardAfterTheHalfYear(t *testing.T) {
	t.Parallel()
	ev := halfYear(t)
	sc := evaluation.BuildScorecard(evaluation.ScorecardFacts{
		AsOf: time.Date(2026, 7, 10, 9, 0, 0, 0, shanghai(t)), Evaluation: ev,
		OversightMembers: 3, ActionsByHalfYear: map[string]int{"2026H1": 2},
	})
	require.Len(t, sc.KPIs, len(evaluation.KPIKeys), "every quantified target is on the scorecard")
	for i, k := range sc.KPIs {
		require.Equal(t, evaluation.KPIKeys[i], k.Key, "scorecard order")
		require.NotEmpty(t, k.Title)
		require.NotEmpty(t, k.TitleEn)
		require.NotEmpty(t, k.Basis)
		require.NotEmpty(t, k.BasisEn)
		require.True(t, k.Area >= 1 && k.Area <= 6, k.Key)
	}
	byKey := kpis(sc)
	want := map[string]evaluation.Status{
		evaluation.KPIQuarterlyReports:         evaluation.StatusNoData,
		evaluation.KPIReportCoverage:           evaluation.StatusNoData,
		evaluation.KPIChannelsInUse:            evaluation.StatusMet,
		evaluation.KPIResponseWithinLimit:      evaluation.StatusMissed, // 240 of 250: the limit is for every case
		evaluation.KPIMedianFirstResponse:      evaluation.StatusMet,
		evaluation.KPIYearlyVolume:             evaluation.StatusMet,
		evaluation.KPIEfficiencyGain:           evaluation.StatusMet,
		evaluation.KPISatisfaction:             evaluation.StatusMet,
		evaluation.KPITrainingSessions:         evaluation.StatusNoData,
		evaluation.KPIStaffTrained:             evaluation.StatusNoData,
		evaluation.KPIOversightCommittee:       evaluation.StatusMet,
		evaluation.KPIConsultations:            evaluation.StatusNoData,
		evaluation.KPIConsultationParticipants: evaluation.StatusNoData,
		evaluation.KPIConsultationOpinions:     evaluation.StatusNoData,
		evaluation.KPIHalfYearlyEvaluation:     evaluation.StatusMet,
	}
	for key, status := range want {
		require.Equal(t, status, byKey[key].Status, key)
		if status == evaluation.StatusNoData {
			require.Nil(t, byKey[key].Current, "%s: no data means no value, never an invented one", key)
			require.Contains(t, byKey[key].BasisEn, "No data yet")
		} else {
			require.NotNil(t, byKey[key].Current, key)
		}
	}

	require.Equal(t, 3.0, *byKey[evaluation.KPIChannelsInUse].Current)
	require.Equal(t, 30.0, datum(byKey[evaluation.KPIChannelsInUse], "EMAIL"))
	require.Equal(t, 0.96, *byKey[evaluation.KPIResponseWithinLimit].Current)
	require.Equal(t, 10.0, datum(byKey[evaluation.KPIResponseWithinLimit], "breaches"))
	require.InDelta(t, 20, *byKey[evaluation.KPIMedianFirstResponse].Current, 1e-9, "hours")
	require.Equal(t, evaluation.AtMost, byKey[evaluation.KPIMedianFirstResponse].Comparison)
	require.Equal(t, 48.0, byKey[evaluation.KPIMedianFirstResponse].Target)
	// 500 a year over 181 of 365 days is 247.9, rounded up.
	require.Equal(t, 248.0, byKey[evaluation.KPIYearlyVolume].Target)
	require.Equal(t, 300.0, *byKey[evaluation.KPIYearlyVolume].Current)
	require.InDelta(t, 0.5, *byKey[evaluation.KPIEfficiencyGain].Current, 1e-9)
	require.InDelta(t, 30, datum(byKey[evaluation.KPIEfficiencyGain], "previousMedianHours"), 1e-9)
	require.Equal(t, 0.9, *byKey[evaluation.KPISatisfaction].Current)
	require.Equal(t, 0.5, datum(byKey[evaluation.KPISatisfaction], "surveyResponseRate"), "the survey response rate is context")
	require.Equal(t, 2.0, byKey[evaluation.KPIQuarterlyReports].Target, "two quarters in a half-year")
	require.Equal(t, 1.0, byKey[evaluation.KPITrainingSessions].Target, "two a year, prorated to a half-year")
	require.Equal(t, 3.0, *byKey[evaluation.KPIOversightCommittee].Current)
	require.Equal(t, 1.0, *byKey[evaluation.KPIHalfYearlyEvaluation].Current)
}

// TestScorecardShortfallsAreAtRiskWhileThePeriodRunsAndMissedAfter: the
// same weak figures are AT_RISK on 1 April and MISSED on 1 July.
func TestScorecardShortfallsAreAtRiskWhileThePeriodRunsAndMissedAfter(t *testing.T) {
	t.Parallel()
	loc := shanghai(t)
	figures := halfYearFigures(loc)
	cur := &figures.Current
	cur.Received = 100 // by 1 April (90 of 181 days) a pace of 201 for the half-year, short of 248
	cur.ByChannel = map[string]int64{"WEB": 80, "HOTLINE": 20}
	cur.SatisfactionRate, cur.Satisfied = 0.8, 96
	gain := 0.1
	figures.EfficiencyGain = &gain
	p, err := evaluation.ParsePeriod("2026H1", loc)
	require.NoError(t, err)
	ev := evaluation.Assemble(p, evaluation.Filter{}, nil, figures, names)
	shortOf := []string{
		evaluation.KPIChannelsInUse, evaluation.KPIResponseWithinLimit, evaluation.KPIYearlyVolume,
		evaluation.KPIEfficiencyGain, evaluation.KPISatisfaction, evaluation.KPIOversightCommittee,
		evaluation.KPIHalfYearlyEvaluation,
	}
	for asOf, status := range map[time.Time]evaluation.Status{
		time.Date(2026, 4, 1, 0, 0, 0, 0, loc): evaluation.StatusAtRisk,
		time.Date(2026, 7, 1, 0, 0, 0, 0, loc): evaluation.StatusMissed,
	} {
		sc := evaluation.BuildScorecard(evaluation.ScorecardFacts{AsOf: asOf, Evaluation: ev})
		byKey := kpis(sc)
		for _, key := range shortOf {
			require.Equal(t, status, byKey[key].Status, "%s as of %s", key, asOf)
		}
		require.Equal(t, evaluation.StatusMet, byKey[evaluation.KPIMedianFirstResponse].Status)
		require.Equal(t, 2.0, *byKey[evaluation.KPIChannelsInUse].Current, "no email")
		require.Equal(t, 0.0, *byKey[evaluation.KPIOversightCommittee].Current)
	}
	running := kpis(evaluation.BuildScorecard(evaluation.ScorecardFacts{AsOf: time.Date(2026, 4, 1, 0, 0, 0, 0, loc), Evaluation: ev}))
	volume := running[evaluation.KPIYearlyVolume]
	require.InDelta(t, 90.0/181, datum(volume, "elapsedShare"), 1e-9)
	require.Equal(t, 201.0, datum(volume, "projected"))

	// On pace: 130 by 1 April projects to 261 ≥ 248, so the volume is met.
	cur.Received = 130
	onPace := kpis(evaluation.BuildScorecard(evaluation.ScorecardFacts{
		AsOf: time.Date(2026, 4, 1, 0, 0, 0, 0, loc), Evaluation: evaluation.Assemble(p, evaluation.Filter{}, nil, figures, names),
	}))
	require.Equal(t, evaluation.StatusMet, onPace[evaluation.KPIYearlyVolume].Status)
}

// TestScorecardWithoutFigures: a period with no cases has no rates, no
// medians and no efficiency gain — NO_DATA, not zeros.
func TestScorecardWithoutFigures(t *testing.T) {
	t.Parallel()
	loc := shanghai(t)
	p, err := evaluation.ParsePeriod("2026Q3", loc)
	require.NoError(t, err)
	ev := evaluation.Assemble(p, evaluation.Filter{}, nil, &analytics.Evaluation{
		Current: analytics.Figures{From: p.From, To: p.To}, Previous: analytics.Figures{},
	}, evaluation.Names{})
	byKey := kpis(evaluation.BuildScorecard(evaluation.ScorecardFacts{
		AsOf: time.Date(2026, 6, 1, 0, 0, 0, 0, loc), Evaluation: ev, OversightMembers: 1,
	}))
	for _, key := range []string{evaluation.KPIChannelsInUse, evaluation.KPIResponseWithinLimit, evaluation.KPIMedianFirstResponse,
		evaluation.KPIEfficiencyGain, evaluation.KPISatisfaction, evaluation.KPIYearlyVolume} {
		require.Equal(t, evaluation.StatusNoData, byKey[key].Status, key)
		require.Nil(t, byKey[key].Current, key)
	}
	require.Equal(t, evaluation.StatusMet, byKey[evaluation.KPIOversightCommittee].Status)
	// 2026Q3 lies in 2026H2, which has not ended on 1 June.
	require.Equal(t, evaluation.StatusAtRisk, byKey[evaluation.KPIHalfYearlyEvaluation].Status)
	require.Equal(t, 127.0, byKey[evaluation.KPIYearlyVolume].Target, "500 × 92 ÷ 365 = 126.03, rounded up")
}

// TestScorecardYearNeedsBothHalfYears: a year needs an evaluation with
// actions in each half; a missing first half is MISSED even while the
// second still runs.
func TestScorecardYearNeedsBothHalfYears(t *testing.T) {
	t.Parallel()
	loc := shanghai(t)
	p, err := evaluation.ParsePeriod("2026", loc)
	require.NoError(t, err)
	ev := evaluation.Assemble(p, evaluation.Filter{}, nil, &analytics.Evaluation{}, evaluation.Names{})
	asOf := time.Date(2026, 9, 1, 0, 0, 0, 0, loc)
	for actions, status := range map[int]evaluation.Status{0: evaluation.StatusMissed, 1: evaluation.StatusAtRisk} {
		k := kpis(evaluation.BuildScorecard(evaluation.ScorecardFacts{AsOf: asOf, Evaluation: ev,
			ActionsByHalfYear: map[string]int{"2026H1": actions}}))[evaluation.KPIHalfYearlyEvaluation]
		require.Equal(t, status, k.Status, "with %d actions in 2026H1", actions)
		require.Equal(t, 2.0, k.Target)
		require.Equal(t, float64(actions), *k.Current)
		require.Equal(t, []string{"2026H1", "2026H2"}, []string{k.Data[0].Key, k.Data[1].Key})
	}
	require.Equal(t, 500.0, kpis(evaluation.BuildScorecard(evaluation.ScorecardFacts{AsOf: asOf, Evaluation: ev}))[evaluation.KPIYearlyVolume].Target)
}
