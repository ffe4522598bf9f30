// Package evaluation is the evaluation department's work (seed strategy,
// part 6): the figures of a period for the evaluators and the oversight
// committee, the seed strategy's scorecard, the half-yearly evaluation
// report, and the improvement actions decided from it.
//
// Figures come from an analytics.Warehouse and are anonymised: counts,
// rates and durations, with categories and service projects named from the
// directory — never case text or personal data. Without a warehouse (the
// server was started without one) every figure query fails with the code
// UNAVAILABLE; nothing is ever estimated or made up.
//
// The scorecard holds every quantified target of the seed strategy. Targets
// whose data arrive with later work (quarterly reports, trainings,
// consultations) are NO_DATA. The status rule is the same for every KPI:
//
//   - NO_DATA: the data behind the KPI do not exist (yet), e.g. no rating
//     in the period for the satisfaction rate;
//   - MET: the value meets the target (for the yearly volume while the
//     period runs: its pace does, see below);
//   - AT_RISK: the value falls short but the period is still running, so
//     it can still be met;
//   - MISSED: the value falls short and the period is over.
//
// "≥ 500 items a year" is prorated to the period's length: 500 × days ÷
// days of the year, rounded up. While the period runs it is judged on
// pace, received ÷ elapsed share of the period (the projection shown in
// the KPI's data).
//
// The report is a Markdown, CSV or XLSX document in Chinese with English
// secondary labels, with two PNG charts drawn here with the standard image
// packages. The process-completeness target (responsible person, time limit
// and feedback at every step) is left out: analytics.Figures has no
// measure of it yet.
//
// Only internal/evaluation changes improvement actions; everything is
// authorized with policy.ActionEvaluationRead (reading) and
// policy.ActionImprovementManage (recording and updating actions).
package evaluation
