package policy

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The data of the policy (data.config) is checked against this schema
// before the policy may be used. Each problem names the file and the key,
// e.g. `config/deadlines.json: deadlines.departments.HR.default.respond:
// "2 days" is not a duration; write e.g. "48h" or "2d"`.

// The values the case model allows; the schema refuses others so that a
// typo does not silently match nothing.
var (
	knownKinds      = []string{"COMPLAINT", "SUGGESTION", "INQUIRY", "PRAISE", "REPORT"}
	knownPriorities = []string{"LOW", "NORMAL", "HIGH", "URGENT"}
	knownChannels   = []string{"WEB", "HOTLINE", "EMAIL", "LETTER", "VISIT", "CONSULTATION"}
	knownDeadlines  = []string{"acknowledge", "decide", "respond", "resolve"}
	knownRecipients = []string{"assignee", "dept_head", "admin"}
	limitKeys       = []string{"acknowledge", "decide", "respond", "resolve", "review_window", "review_decide", "extension_max", "extension_count"}
	weekdayKeys     = []string{"sun", "mon", "tue", "wed", "thu", "fri", "sat"} // index = time.Weekday
	configTopics    = []string{"authz", "routing", "deadlines", "calendars", "escalation"}
	departmentCode  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)
	calendarName    = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)
)

func knownActions() []string {
	out := make([]string, 0, len(allActions))
	for _, a := range allActions {
		out = append(out, string(a))
	}
	return out
}

func knownRoles() []string {
	out := make([]string, 0, len(Roles))
	for _, r := range Roles {
		out = append(out, string(r))
	}
	return out
}

// schemaCheck collects the problems of one data document.
type schemaCheck struct {
	file     string
	problems []string
}

func (c *schemaCheck) fail(at, format string, args ...any) {
	c.problems = append(c.problems, fmt.Sprintf("%s: %s: %s", c.file, at, fmt.Sprintf(format, args...)))
}

// object checks that v is an object whose keys are among required and
// optional, reports missing required keys, and returns it.
func (c *schemaCheck) object(at string, v any, required, optional []string) (map[string]any, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		c.fail(at, "must be an object, not %s", describe(v))
		return nil, false
	}
	for _, k := range sortedKeys(m) {
		if !slices.Contains(required, k) && !slices.Contains(optional, k) {
			c.fail(join(at, k), "unknown key; expected one of %s", strings.Join(append(slices.Clone(required), optional...), ", "))
		}
	}
	for _, k := range required {
		if _, ok := m[k]; !ok {
			c.fail(join(at, k), "is missing")
		}
	}
	return m, true
}

// mapOf checks that v is an object (keys chosen by the installation) and
// calls each for every entry in key order.
func (c *schemaCheck) mapOf(at string, v any, each func(at, key string, v any)) {
	m, ok := v.(map[string]any)
	if !ok {
		c.fail(at, "must be an object, not %s", describe(v))
		return
	}
	for _, k := range sortedKeys(m) {
		each(join(at, k), k, m[k])
	}
}

func (c *schemaCheck) str(at string, v any) (string, bool) {
	s, ok := v.(string)
	if !ok {
		c.fail(at, "must be a string, not %s", describe(v))
	}
	return s, ok
}

func (c *schemaCheck) boolean(at string, v any) {
	if _, ok := v.(bool); !ok {
		c.fail(at, "must be true or false, not %s", describe(v))
	}
}

// list checks that v is an array of strings, each accepted by valid
// (which reports its own problem), and returns the strings.
func (c *schemaCheck) list(at string, v any, nonEmpty bool, valid func(at, s string) bool) []string {
	arr, ok := v.([]any)
	if !ok {
		c.fail(at, "must be a list, not %s", describe(v))
		return nil
	}
	if nonEmpty && len(arr) == 0 {
		c.fail(at, "must not be empty (leave the key out instead)")
	}
	out := make([]string, 0, len(arr))
	for i, x := range arr {
		iat := fmt.Sprintf("%s[%d]", at, i)
		s, ok := c.str(iat, x)
		if !ok {
			continue
		}
		if valid != nil && !valid(iat, s) {
			continue
		}
		out = append(out, s)
	}
	return out
}

// oneOf returns a validator accepting only the given values.
func (c *schemaCheck) oneOf(what string, values []string) func(at, s string) bool {
	return func(at, s string) bool {
		if slices.Contains(values, s) {
			return true
		}
		c.fail(at, "%q is not a known %s; expected one of %s", s, what, strings.Join(values, ", "))
		return false
	}
}

func (c *schemaCheck) code(at, s string) bool {
	if departmentCode.MatchString(s) {
		return true
	}
	c.fail(at, "%q is not a department code", s)
	return false
}

func (c *schemaCheck) nonEmpty(at, s string) bool {
	if strings.TrimSpace(s) != "" {
		return true
	}
	c.fail(at, "must not be empty")
	return false
}

func (c *schemaCheck) duration(at string, v any) {
	s, ok := c.str(at, v)
	if !ok {
		return
	}
	if _, err := parseDuration(s); err != nil {
		c.fail(at, "%v", err)
	}
}

// checkConfig checks data.config of a bundle. Every topic must be present;
// each is checked in the file that set it.
func checkConfig(b *bundle) []string {
	var problems []string
	config, ok := b.data["config"].(map[string]any)
	if !ok {
		return []string{"config: missing: the policy needs config/*.json data files"}
	}
	for _, topic := range configTopics {
		if _, ok := config[topic]; !ok {
			problems = append(problems, fmt.Sprintf("config.%s: missing (expected in config/%s.json)", topic, topic))
		}
	}
	for _, topic := range sortedKeys(config) {
		file := b.dataFiles[topic]
		if file == "" {
			file = "config"
		}
		c := &schemaCheck{file: file}
		v := config[topic]
		switch topic {
		case "authz":
			c.authz(v)
		case "routing":
			c.routing(v)
		case "deadlines":
			c.deadlines(v)
		case "calendars":
			c.calendars(v)
		case "escalation":
			c.escalation(v)
		default:
			c.fail(topic, "unknown key; data under config is one of %s (put other data elsewhere)", strings.Join(configTopics, ", "))
		}
		problems = append(problems, c.problems...)
	}
	return problems
}

func (c *schemaCheck) authz(v any) {
	m, ok := c.object("authz", v, []string{"public_actions", "petitioner_actions", "permissions", "department_scoped", "assignee_only", "reporter_protection", "anonymised_text_roles"}, nil)
	if !ok {
		return
	}
	actions, roles := c.oneOf("action", knownActions()), c.oneOf("role", knownRoles())
	if v, ok := m["public_actions"]; ok {
		c.list("authz.public_actions", v, false, actions)
	}
	if v, ok := m["petitioner_actions"]; ok {
		c.list("authz.petitioner_actions", v, false, actions)
	}
	if v, ok := m["permissions"]; ok {
		c.mapOf("authz.permissions", v, func(at, action string, v any) {
			if actions(at, action) {
				c.list(at, v, false, roles)
			}
		})
	}
	for _, key := range []string{"department_scoped", "assignee_only"} {
		if v, ok := m[key]; ok {
			if s, ok := c.object("authz."+key, v, []string{"roles", "actions"}, nil); ok {
				if v, ok := s["roles"]; ok {
					c.list("authz."+key+".roles", v, false, roles)
				}
				if v, ok := s["actions"]; ok {
					c.list("authz."+key+".actions", v, false, actions)
				}
			}
		}
	}
	if v, ok := m["reporter_protection"]; ok {
		if s, ok := c.object("authz.reporter_protection", v, []string{"kinds"}, nil); ok {
			if v, ok := s["kinds"]; ok {
				c.list("authz.reporter_protection.kinds", v, false, c.oneOf("kind", knownKinds))
			}
		}
	}
	if v, ok := m["anonymised_text_roles"]; ok {
		c.list("authz.anonymised_text_roles", v, false, roles)
	}
}

func (c *schemaCheck) routing(v any) {
	m, ok := c.object("routing", v, []string{"kind_rules", "keywords", "last_resort"}, nil)
	if !ok {
		return
	}
	if v, ok := m["kind_rules"]; ok {
		rules, ok := v.([]any)
		if !ok {
			c.fail("routing.kind_rules", "must be a list, not %s", describe(v))
		}
		names := map[string]bool{}
		for i, r := range rules {
			at := fmt.Sprintf("routing.kind_rules[%d]", i)
			rule, ok := c.object(at, r, []string{"name", "department"}, []string{"description", "kinds", "priorities", "channels", "categories", "override"})
			if !ok {
				continue
			}
			if name, ok := c.str(at+".name", rule["name"]); ok && c.nonEmpty(at+".name", name) {
				if names[name] {
					c.fail(at+".name", "%q names another rule too", name)
				}
				names[name] = true
			}
			if d, ok := c.str(at+".department", rule["department"]); ok {
				c.code(at+".department", d)
			}
			if v, ok := rule["description"]; ok {
				c.str(at+".description", v)
			}
			if v, ok := rule["override"]; ok {
				c.boolean(at+".override", v)
			}
			for _, cond := range []struct {
				key, what string
				values    []string
			}{{"kinds", "kind", knownKinds}, {"priorities", "priority", knownPriorities}, {"channels", "channel", knownChannels}} {
				if v, ok := rule[cond.key]; ok {
					c.list(at+"."+cond.key, v, true, c.oneOf(cond.what, cond.values))
				}
			}
			if v, ok := rule["categories"]; ok {
				c.list(at+".categories", v, true, c.nonEmpty)
			}
		}
	}
	if v, ok := m["keywords"]; ok {
		entries, ok := v.([]any)
		if !ok {
			c.fail("routing.keywords", "must be a list, not %s", describe(v))
		}
		for i, e := range entries {
			at := fmt.Sprintf("routing.keywords[%d]", i)
			entry, ok := c.object(at, e, []string{"department"}, []string{"zh", "en"})
			if !ok {
				continue
			}
			if d, ok := c.str(at+".department", entry["department"]); ok {
				c.code(at+".department", d)
			}
			n := 0
			for _, lang := range []string{"zh", "en"} {
				if v, ok := entry[lang]; ok {
					n += len(c.list(at+"."+lang, v, false, c.nonEmpty))
				}
			}
			if n == 0 {
				c.fail(at, "has no keywords (zh or en)")
			}
		}
	}
	if v, ok := m["last_resort"]; ok {
		c.list("routing.last_resort", v, false, c.code)
	}
}

func (c *schemaCheck) limits(at string, v any, required bool) {
	var req []string
	if required {
		req = limitKeys
	}
	m, ok := c.object(at, v, req, limitKeys)
	if !ok {
		return
	}
	for _, k := range limitKeys {
		x, ok := m[k]
		if !ok {
			continue
		}
		if k == "extension_count" {
			if n, ok := x.(json.Number); !ok || !isNonNegativeInt(n) {
				c.fail(join(at, k), "must be a whole number ≥ 0, not %s", describe(x))
			}
			continue
		}
		c.duration(join(at, k), x)
	}
}

func isNonNegativeInt(n json.Number) bool {
	i, err := strconv.Atoi(string(n))
	return err == nil && i >= 0
}

func (c *schemaCheck) deadlines(v any) {
	m, ok := c.object("deadlines", v, []string{"default"}, []string{"kinds", "priorities", "channels", "review_rounds", "departments"})
	if !ok {
		return
	}
	if v, ok := m["default"]; ok {
		c.limits("deadlines.default", v, true)
	}
	c.limitLayers("deadlines", m, true)
	if v, ok := m["departments"]; ok {
		c.mapOf("deadlines.departments", v, func(at, code string, v any) {
			if !c.code(at, code) {
				return
			}
			d, ok := c.object(at, v, nil, []string{"default", "kinds", "priorities", "review_rounds"})
			if !ok {
				return
			}
			if v, ok := d["default"]; ok {
				c.limits(at+".default", v, false)
			}
			c.limitLayers(at, d, false)
		})
	}
}

// limitLayers checks the kinds, priorities, channels and review_rounds
// layers of a deadlines object.
func (c *schemaCheck) limitLayers(at string, m map[string]any, withChannels bool) {
	layers := []struct {
		key, what string
		values    []string
	}{
		{"kinds", "kind", knownKinds},
		{"priorities", "priority", knownPriorities},
		{"channels", "channel", knownChannels},
		{"review_rounds", "review round", []string{"1", "2"}},
	}
	for _, l := range layers {
		if l.key == "channels" && !withChannels {
			continue
		}
		v, ok := m[l.key]
		if !ok {
			continue
		}
		valid := c.oneOf(l.what, l.values)
		c.mapOf(join(at, l.key), v, func(at, key string, v any) {
			if valid(at, key) {
				c.limits(at, v, false)
			}
		})
	}
}

func (c *schemaCheck) calendars(v any) {
	m, ok := c.object("calendars", v, []string{"default", "definitions"}, []string{"departments"})
	if !ok {
		return
	}
	defined := map[string]bool{}
	if v, ok := m["definitions"]; ok {
		c.mapOf("calendars.definitions", v, func(at, name string, v any) {
			if !calendarName.MatchString(name) {
				c.fail(at, "%q is not a calendar name (lower case letters, digits, _ and -)", name)
				return
			}
			defined[name] = true
			if _, ok := c.object(at, v, []string{"time_zone"}, []string{"description", "always_open", "week", "holidays", "workdays", "workday_hours"}); !ok {
				return
			}
			var spec CalendarSpec
			raw, _ := json.Marshal(v)
			if err := json.Unmarshal(raw, &spec); err != nil {
				c.fail(at, "%v", err)
				return
			}
			if _, err := NewCalendar(name, spec); err != nil {
				c.fail(at, "%s", strings.TrimPrefix(err.Error(), "calendar "+name+": "))
			}
		})
	}
	named := func(at, s string) bool {
		if defined[s] {
			return true
		}
		c.fail(at, "names calendar %q, which calendars.definitions does not define", s)
		return false
	}
	if v, ok := m["default"]; ok {
		if s, ok := c.str("calendars.default", v); ok {
			named("calendars.default", s)
		}
	}
	if v, ok := m["departments"]; ok {
		c.mapOf("calendars.departments", v, func(at, code string, v any) {
			if s, ok := c.str(at, v); ok && c.code(at, code) {
				named(at, s)
			}
		})
	}
}

func (c *schemaCheck) escalation(v any) {
	m, ok := c.object("escalation", v, []string{"default"}, []string{"deadlines", "priorities", "departments"})
	if !ok {
		return
	}
	if v, ok := m["default"]; ok {
		c.escalationSettings("escalation.default", v, true)
	}
	c.escalationLayers("escalation", m)
	if v, ok := m["departments"]; ok {
		c.mapOf("escalation.departments", v, func(at, code string, v any) {
			if !c.code(at, code) {
				return
			}
			d, ok := c.object(at, v, nil, []string{"default", "deadlines", "priorities"})
			if !ok {
				return
			}
			if v, ok := d["default"]; ok {
				c.escalationSettings(at+".default", v, false)
			}
			c.escalationLayers(at, d)
		})
	}
}

func (c *schemaCheck) escalationLayers(at string, m map[string]any) {
	if v, ok := m["deadlines"]; ok {
		valid := c.oneOf("deadline", knownDeadlines)
		c.mapOf(at+".deadlines", v, func(at, key string, v any) {
			if valid(at, key) {
				c.escalationSettings(at, v, false)
			}
		})
	}
	if v, ok := m["priorities"]; ok {
		valid := c.oneOf("priority", knownPriorities)
		c.mapOf(at+".priorities", v, func(at, key string, v any) {
			if valid(at, key) {
				c.escalationSettings(at, v, false)
			}
		})
	}
}

func (c *schemaCheck) escalationSettings(at string, v any, required bool) {
	var req []string
	if required {
		req = []string{"warn_at", "escalate_after", "notify"}
	}
	m, ok := c.object(at, v, req, []string{"warn_at", "escalate_after", "notify"})
	if !ok {
		return
	}
	if x, ok := m["warn_at"]; ok {
		n, isNum := x.(json.Number)
		f, err := strconv.ParseFloat(string(n), 64)
		if !isNum || err != nil || f <= 0 || f > 1 {
			c.fail(at+".warn_at", "must be a fraction of the time above 0 and at most 1 (e.g. 0.75), not %s", describe(x))
		}
	}
	if x, ok := m["escalate_after"]; ok {
		c.duration(at+".escalate_after", x)
	}
	if x, ok := m["notify"]; ok {
		var nreq []string
		if required {
			nreq = []string{"warn", "breach", "escalate"}
		}
		if n, ok := c.object(at+".notify", x, nreq, []string{"warn", "breach", "escalate"}); ok {
			for _, k := range sortedKeys(n) {
				c.list(at+".notify."+k, n[k], false, c.oneOf("recipient", knownRecipients))
			}
		}
	}
}

// parseDuration reads a duration of the policy data: a Go duration
// ("48h", "90m", "1h30m"), whole days ("30d") or "0" (no limit).
func parseDuration(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.Atoi(days)
		if err != nil || n < 0 || n > 100*365 {
			return 0, fmt.Errorf("%q is not a duration; write whole days as e.g. \"30d\"", s)
		}
		return time.Duration(n) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%q is not a duration; write e.g. \"48h\", \"90m\" or \"2d\"", s)
	}
	return d, nil
}

func describe(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return strconv.Quote(x)
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	default:
		return fmt.Sprintf("%T", v)
	}
}

func join(at, key string) string {
	if at == "" {
		return key
	}
	return at + "." + key
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
