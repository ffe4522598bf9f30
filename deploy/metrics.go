package deploy

import (
	_ "embed"
	"strings"
)

//go:embed metrics.txt
var metricsFile string

// MetricNames returns the names listed in metrics.txt: every sample name
// of the metric contract that `xinfang serve` exposes at /metrics,
// histograms as their _bucket, _count and _sum series, without the go_*
// and process_* collectors. Comments (#) and blank lines are skipped.
func MetricNames() []string {
	var names []string
	for _, line := range strings.Split(metricsFile, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		names = append(names, line)
	}
	return names
}
