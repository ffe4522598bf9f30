# Time limits: how long each step of a case may take, and on which calendar
# the time is counted.
#
# Input: department (code), kind, priority, channel, review_round
# (0 original handling, 1 review 复查, 2 re-review 复核).
#
# Durations are strings: a Go duration ("48h", "90m") or whole days ("30d");
# "0" means no limit. The layers of data.config.deadlines apply in this
# order, each overriding the keys it sets: default, kinds[kind],
# priorities[priority], channels[channel], then the department's own
# default, kinds and priorities; in a review round, respond and resolve
# become review_decide, and finally review_rounds[round] and the
# department's review_rounds[round] apply.
package xinfang.v1.deadlines

cfg := data.config.deadlines

department := object.get(cfg.departments, input.department, {})

base := object.union_n([
	cfg.default,
	object.get(cfg.kinds, input.kind, {}),
	object.get(cfg.priorities, input.priority, {}),
	object.get(cfg.channels, input.channel, {}),
	object.get(department, "default", {}),
	object.get(department, ["kinds", input.kind], {}),
	object.get(department, ["priorities", input.priority], {}),
])

round_key := format_int(input.review_round, 10)

# A review (复查) or re-review (复核) is answered and concluded within the
# review handling time unless a round says otherwise.
review_handling := {"respond": base.review_decide, "resolve": base.review_decide} if {
	input.review_round > 0
} else := {}

limits := object.union_n([
	base,
	review_handling,
	object.get(cfg, ["review_rounds", round_key], {}),
	object.get(department, ["review_rounds", round_key], {}),
])

# calendar names the calendar the department's time is counted on.
calendar := object.get(data.config.calendars.departments, input.department, data.config.calendars.default)

# decision is what policy.Engine.Limits asks for.
decision := {"limits": limits, "calendar": calendar}
