package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/google/pprof/profile"
)

// cpuShare is how the server's CPU time during the submitCase run splits:
// the share spent inside policy evaluation (xinfang's policy package and
// OPA), out of the CPU time of the server side only — the load generator
// runs in the same process and its samples are left out.
type cpuShare struct {
	ServerSeconds float64
	PolicySeconds float64
}

func (c cpuShare) share() float64 { return ratio(c.PolicySeconds, c.ServerSeconds) }

// policyFrames are the function-name prefixes that count as policy
// evaluation.
var policyFrames = []string{
	"github.com/xinfang/xinfang/policy.",
	"github.com/open-policy-agent/opa/",
}

// clientFrames mark samples of the load generator.
var clientFrames = []string{
	"main.(*gqlClient)",
	"main.measureSubmit",
	"net/http.(*persistConn)",
	"net/http.(*Transport)",
}

// policyCPUShare reads a CPU profile written during the submitCase run.
func policyCPUShare(path string) (cpuShare, error) {
	f, err := os.Open(path)
	if err != nil {
		return cpuShare{}, err
	}
	defer f.Close()
	p, err := profile.Parse(f)
	if err != nil {
		return cpuShare{}, fmt.Errorf("parse CPU profile %s: %w", path, err)
	}
	valueIndex := -1
	for i, st := range p.SampleType {
		if st.Type == "cpu" {
			valueIndex = i
		}
	}
	if valueIndex < 0 {
		return cpuShare{}, fmt.Errorf("CPU profile %s has no cpu samples", path)
	}
	var out cpuShare
	for _, s := range p.Sample {
		seconds := float64(s.Value[valueIndex]) / 1e9
		if stackHas(s, clientFrames) {
			continue
		}
		out.ServerSeconds += seconds
		if stackHas(s, policyFrames) {
			out.PolicySeconds += seconds
		}
	}
	return out, nil
}

func stackHas(s *profile.Sample, prefixes []string) bool {
	for _, loc := range s.Location {
		for _, line := range loc.Line {
			if line.Function == nil {
				continue
			}
			for _, prefix := range prefixes {
				if strings.HasPrefix(line.Function.Name, prefix) {
					return true
				}
			}
		}
	}
	return false
}
