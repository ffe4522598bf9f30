// Package deploy holds what runs beside the xinfang binary in production,
// as files, and the tests that keep those files honest:
//
//   - prometheus/prometheus.yml: the scrape configuration (job "xinfang",
//     every 15 s) that loads the rules from /etc/prometheus/rules/*.yml.
//   - prometheus/rules/xinfang.yml: the alert rules (SLA breaches and
//     escalations, the share of late replies, the at-risk backlog, the
//     deadline watcher, instances, API errors, the analytics relay) and the
//     recording rules the dashboards read, named level:metric:operations;
//     prometheus/rules/xinfang_test.yml unit-tests every alert with
//     `promtool test rules`.
//   - grafana/provisioning: the Prometheus and ClickHouse data sources
//     (uids xinfang-prometheus and xinfang-clickhouse), the dashboard
//     provider, and alerting (contact point, notification policy,
//     Grafana-managed rules); grafana/dashboards: "xinfang SLA live"
//     (xinfang-sla-live, Prometheus) and "Oversight committee"
//     (xinfang-oversight, anonymised aggregates from ClickHouse).
//   - clickhouse/users.d/grafana.xml: Grafana's read-only ClickHouse user.
//   - metrics.txt: the metric names of the contract that `xinfang serve`
//     exposes at /metrics (MetricNames).
//
// docker-compose.yml at the root of the repository mounts these files. The
// tests run promtool (XINFANG_TEST_PROMTOOL, or promtool on the PATH) on
// the Prometheus files, check every uid and data source reference of the
// Grafana files, check that every xinfang metric a rule or dashboard uses
// is in metrics.txt, and run the oversight dashboard's SQL on the
// ClickHouse test server (XINFANG_TEST_CLICKHOUSE_ADDR). Without promtool
// or ClickHouse those tests skip, unless CI is set.
package deploy
