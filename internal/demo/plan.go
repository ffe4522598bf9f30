package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/xinfang/xinfang/ent/casefile"
	"github.com/xinfang/xinfang/ent/schema/schematype"
	"github.com/xinfang/xinfang/internal/workflow"
	"github.com/xinfang/xinfang/policy"
)

type status = schematype.CaseStatus

// op is one workflow call of a plan.
type op int

const (
	opIntake op = iota
	opAccept
	opDecline
	opTransfer
	opAssign
	opStart
	opNote
	opRequestInfo
	opProvideInfo
	opRequestExtension
	opDecideExtension
	opRespond
	opClose
	opRate
	opRequestReview
	opMerge
)

var opNames = [...]string{"intake", "accept", "decline", "transfer", "assign", "start work", "add note",
	"request information", "provide information", "request extension", "decide extension", "respond",
	"close", "rate", "request review", "merge"}

func (o op) String() string { return opNames[o] }

// who performs a staff step.
type who int

const (
	byIntake   who = iota // the case's intake agent
	byHead                // the head of the case's current department
	byAssignee            // the current assignee
)

// step is one planned workflow call at a point in time.
type step struct {
	at       time.Time
	op       op
	by       who
	text     string
	public   bool
	outcome  casefile.Outcome
	priority *casefile.Priority
	dept     string // transfer target
	hours    int
	approve  bool
	rating   int
	target   int // merge target plan
	// assignHead assigns the department head; fresh assigns someone other
	// than the current assignee.
	assignHead, fresh bool
}

// plan is the whole life of one demo case, decided before anything is
// written.
type plan struct {
	idx      int
	final    status
	rounds   int // review rounds the case goes through
	rated    bool
	sc       *scenario
	zh       bool
	channel  casefile.Channel
	priority casefile.Priority
	contact  workflow.Contact
	subject  string
	body     string
	text     *filler
	intakeBy int // index of the intake agent
	// mergeInto is the plan this duplicate is merged into, or -1.
	mergeInto int
	received  time.Time
	recorded  time.Time
	steps     []step
}

func (p *plan) locale() string {
	if p.zh {
		return "zh-CN"
	}
	return "en"
}

// spec is a final status and how many review rounds lead to it.
type spec struct {
	final  status
	rounds int
}

// statusSpecs decides the final status of n cases: every status occurs
// (for n of a dozen or more), most cases are closed, a few went through
// review and re-review.
func statusSpecs(n int) []spec {
	if n < 12 {
		order := []spec{
			{schematype.StatusClosed, 0}, {schematype.StatusInProgress, 0}, {schematype.StatusSubmitted, 0},
			{schematype.StatusNotAccepted, 0}, {schematype.StatusResponded, 0}, {schematype.StatusClosed, 1},
			{schematype.StatusAssigned, 0}, {schematype.StatusAwaitingPetitioner, 0}, {schematype.StatusAccepted, 0},
			{schematype.StatusMerged, 0}, {schematype.StatusClosed, 2},
		}
		return order[:n]
	}
	weights := []struct {
		st status
		w  float64
	}{
		{schematype.StatusSubmitted, .04}, {schematype.StatusAccepted, .04}, {schematype.StatusNotAccepted, .06},
		{schematype.StatusAssigned, .05}, {schematype.StatusInProgress, .08}, {schematype.StatusAwaitingPetitioner, .04},
		{schematype.StatusResponded, .07}, {schematype.StatusMerged, .04},
	}
	var out []spec
	for _, w := range weights {
		c := max(1, int(math.Round(w.w*float64(n))))
		for i := range c {
			rounds := 0
			// A case reopened for review and waiting for, or in, its second handling.
			if (w.st == schematype.StatusAccepted || w.st == schematype.StatusInProgress) && i == 0 && c >= 3 {
				rounds = 1
			}
			out = append(out, spec{w.st, rounds})
		}
	}
	closed := n - len(out)
	r2 := max(1, int(math.Round(.015*float64(n))))
	r1 := max(1, int(math.Round(.04*float64(n))))
	for i := range closed {
		rounds := 0
		switch {
		case i < r2:
			rounds = 2
		case i < r2+r1:
			rounds = 1
		}
		out = append(out, spec{schematype.StatusClosed, rounds})
	}
	return out
}

// builder lays out the steps of one plan from its receipt.
type builder struct {
	l     *loader
	p     *plan
	rng   *rand.Rand
	t     time.Time
	steps []step
}

func (b *builder) dur(lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	return lo + time.Duration(b.rng.Int64N(int64(hi-lo)+1))
}

func (b *builder) chance(p float64) bool { return b.rng.Float64() < p }

// within moves t into the daily window [from, to) hours, later if needed,
// and after the previous step.
func (b *builder) within(t time.Time, from, to int) time.Time {
	local := t.In(b.l.loc)
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, b.l.loc)
	switch {
	case local.Hour() < from:
		t = day.Add(time.Duration(from)*time.Hour + b.dur(0, 90*time.Minute))
	case local.Hour() >= to:
		t = day.AddDate(0, 0, 1).Add(time.Duration(from)*time.Hour + b.dur(0, 90*time.Minute))
	}
	if !t.After(b.t) {
		t = b.t.Add(b.dur(time.Minute, 5*time.Minute))
	}
	return t
}

// staffAt is a staff step between lo and hi after the previous one, in
// working hours.
func (b *builder) staffAt(lo, hi time.Duration) time.Time {
	return b.within(b.t.Add(b.dur(lo, hi)), 8, 21)
}

// publicAt is a petitioner step between lo and hi after the previous one.
func (b *builder) publicAt(lo, hi time.Duration) time.Time {
	return b.within(b.t.Add(b.dur(lo, hi)), 7, 23)
}

func (b *builder) add(s step) {
	b.t = s.at
	b.steps = append(b.steps, s)
}

func pick[T any](rng *rand.Rand, xs []T) T { return xs[rng.IntN(len(xs))] }

const (
	hour = time.Hour
	day  = 24 * time.Hour
)

// build lays out the plan's steps with the case received at received.
func (l *loader) build(p *plan, received time.Time) {
	b := &builder{l: l, p: p, rng: rand.New(rand.NewPCG(l.seed, uint64(p.idx)<<1|1)), t: received}
	p.received, p.steps = received, nil
	recorded := received
	switch p.channel {
	case casefile.ChannelLETTER:
		recorded = b.within(received.Add(b.dur(hour, 26*hour)), 9, 18)
	case casefile.ChannelEMAIL:
		recorded = b.within(received.Add(b.dur(20*time.Minute, 16*hour)), 8, 21)
	case casefile.ChannelCONSULTATION:
		recorded = l.nextWorkday(received).Add(9*hour + 30*time.Minute + b.dur(0, 2*hour))
	}
	p.recorded = recorded
	b.add(step{at: recorded, op: opIntake})
	defer func() { p.steps = b.steps }()

	sc, f := p.sc, p.text
	dept := l.routedDepartment(p)
	deptName := func(code string) string { return l.org.deptName[code].in(p.zh) }
	transfer := func(to string, by who, lo, hi time.Duration) {
		reasons := transferReasons
		if by == byAssignee {
			reasons = handlerTransferReasons
		}
		reason := strings.ReplaceAll(pick(b.rng, reasons), "{dept}", l.org.deptName[to].zh)
		b.add(step{at: b.staffAt(lo, hi), op: opTransfer, by: by, dept: to, text: reason})
		dept = to
	}
	intakeNote := func(prob float64) {
		if notes := intakeNotes[p.channel]; len(notes) > 0 && b.chance(prob) {
			b.add(step{at: b.staffAt(5*time.Minute, 40*time.Minute), op: opNote, by: byIntake, text: pick(b.rng, notes)})
		}
	}

	switch p.final {
	case schematype.StatusSubmitted:
		if sc.transferTo != "" && sc.transferTo != dept && b.chance(.5) {
			transfer(sc.transferTo, byIntake, 30*time.Minute, 6*hour)
		} else {
			intakeNote(.4)
		}
		return
	case schematype.StatusMerged:
		if b.chance(.3) {
			b.add(step{at: b.staffAt(20*time.Minute, 4*hour), op: opAccept, by: byIntake})
		}
		b.add(step{at: b.staffAt(30*time.Minute, 12*hour), op: opMerge, by: byIntake, target: p.mergeInto})
		return
	case schematype.StatusNotAccepted:
		intakeNote(.3)
		by := byIntake
		if b.chance(.2) {
			by = byHead
		}
		b.add(step{at: b.staffAt(30*time.Minute, 20*hour), op: opDecline, by: by, text: f.fill(sc.decline)})
		return
	}

	late := b.chance(.15)
	intakeNote(.15)
	accept := step{op: opAccept, by: byIntake}
	if b.chance(.25) {
		accept.by = byHead
	}
	if late {
		accept.at = b.staffAt(16*hour, 36*hour)
	} else {
		accept.at = b.staffAt(20*time.Minute, 6*hour)
	}
	if p.channel == casefile.ChannelWEB && sc.priority != "" {
		pr := sc.priority
		accept.priority = &pr
	} else if sc.kind == casefile.KindCOMPLAINT && b.chance(.05) {
		pr := casefile.PriorityHIGH
		accept.priority = &pr
	}
	b.add(accept)

	// Cases the intake department cannot handle go on to their department,
	// usually at once, sometimes only when the handler notices.
	transferAfterStart := false
	if sc.transferTo != "" && sc.transferTo != dept {
		switch x := b.rng.Float64(); {
		case x < .6:
			by := byIntake
			if dept != deptCustomerService {
				by = byHead
			}
			transfer(sc.transferTo, by, 30*time.Minute, 5*hour)
		case x < .85:
			transferAfterStart = true
		}
	}
	if p.final == schematype.StatusAccepted && p.rounds == 0 {
		return
	}

	due := received.Add(48 * hour)
	var closedAt time.Time
	for r := 0; r <= p.rounds; r++ {
		last := r == p.rounds
		if r > 0 {
			at := b.publicAt(day, 20*day)
			if limit := closedAt.Add(29 * day); at.After(limit) {
				at = closedAt.Add(28 * day)
			}
			b.add(step{at: at, op: opRequestReview, text: f.fill(pick(b.rng, reviewReasons[r]))})
			due = at.Add(48 * hour)
			late = b.chance(.1)
			if last && p.final == schematype.StatusAccepted {
				return
			}
		}
		assign := step{op: opAssign, by: byHead, fresh: r > 0}
		assign.assignHead = b.chance(.15)
		if r > 0 {
			assign.assignHead = b.chance(.6)
		}
		if late {
			assign.at = b.staffAt(8*hour, 30*hour)
		} else {
			assign.at = b.staffAt(20*time.Minute, 5*hour)
		}
		b.add(assign)
		if last && p.final == schematype.StatusAssigned {
			return
		}
		if r == 0 && b.chance(.05) {
			b.add(step{at: b.staffAt(hour, 8*hour), op: opAssign, by: byHead, fresh: true})
		}
		start := func() {
			if late {
				b.add(step{at: b.staffAt(4*hour, 20*hour), op: opStart, by: byAssignee})
			} else {
				b.add(step{at: b.staffAt(10*time.Minute, 3*hour), op: opStart, by: byAssignee})
			}
		}
		start()
		if r == 0 && transferAfterStart {
			transfer(sc.transferTo, byAssignee, 30*time.Minute, 4*hour)
			b.add(step{at: b.staffAt(20*time.Minute, 4*hour), op: opAssign, by: byHead})
			start()
		}
		notes := b.rng.IntN(3)
		if r > 0 {
			notes = 1
		}
		for range notes {
			s := step{at: b.staffAt(30*time.Minute, 6*hour), op: opNote, by: byAssignee, text: pick(b.rng, internalNotes)}
			if sc.kind == casefile.KindPRAISE {
				s.text = pick(b.rng, praiseNotes)
			} else if sc.kind == casefile.KindCOMPLAINT && b.chance(.2) {
				s.text, s.public = pick(b.rng, publicNotes).in(p.zh), true
			}
			b.add(s)
		}
		wantInfo := last && p.final == schematype.StatusAwaitingPetitioner
		if sc.question.zh != "" && (wantInfo || (r == 0 && b.chance(.2))) {
			asked := b.staffAt(30*time.Minute, 5*hour)
			b.add(step{at: asked, op: opRequestInfo, by: byAssignee, text: f.fill(sc.question)})
			if wantInfo {
				return
			}
			b.add(step{at: b.publicAt(3*hour, 96*hour), op: opProvideInfo, text: f.fill(sc.answer)})
			due = due.Add(b.t.Sub(asked))
		}
		if last && p.final == schematype.StatusInProgress && b.chance(.5) {
			return
		}
		if sc.kind != casefile.KindPRAISE && (b.chance(.08) || (late && b.chance(.35))) {
			hours := pick(b.rng, []int{24, 48})
			b.add(step{at: b.staffAt(hour, 8*hour), op: opRequestExtension, by: byAssignee, hours: hours, text: pick(b.rng, extensionReasons)})
			approve := b.chance(.8)
			comment := pick(b.rng, rejectComments)
			if approve {
				comment = pick(b.rng, approveComments)
				due = due.Add(time.Duration(hours) * hour)
			}
			b.add(step{at: b.staffAt(30*time.Minute, 8*hour), op: opDecideExtension, by: byHead, approve: approve, text: comment})
		}
		if last && p.final == schematype.StatusInProgress {
			return
		}

		// The written reply: on time, or late.
		var at time.Time
		lo, hi := b.t.Add(30*time.Minute), due.Add(-30*time.Minute)
		switch {
		case late:
			at = b.within(maxTime(b.t, due).Add(b.dur(2*hour, 60*hour)), 8, 21)
		case hi.After(lo):
			at = b.within(lo.Add(b.dur(0, min(hi.Sub(lo), 30*hour))), 8, 21)
			if at.After(hi) && hi.After(b.t) {
				at = hi.Add(-b.dur(0, min(20*time.Minute, hi.Sub(b.t)-time.Second)))
			}
		default:
			at = b.staffAt(hour, 4*hour)
		}
		rep := pick(b.rng, sc.replies)
		text := f.fill(rep.text)
		if p.zh {
			text = "您好!" + reviewReplyPrefix[r].zh + text + "\n\n" + deptName(dept)
		} else {
			intro := "Thank you for contacting us. "
			if r > 0 {
				intro = reviewReplyPrefix[r].en
			} else if strings.HasPrefix(text, "Thank") {
				intro = ""
			}
			text = intro + text + "\n\n" + deptName(dept)
		}
		b.add(step{at: at, op: opRespond, by: byAssignee, outcome: rep.outcome, text: text})
		if last && p.final == schematype.StatusResponded {
			return
		}
		closeBy := byAssignee
		if b.chance(.25) {
			closeBy = byIntake
		}
		b.add(step{at: b.staffAt(4*hour, 5*day), op: opClose, by: closeBy})
		closedAt = b.t
		switch {
		case !last:
			if b.chance(.7) {
				rating := 1 + b.rng.IntN(2)
				b.add(step{at: b.publicAt(hour, 5*day), op: opRate, rating: rating, text: pick(b.rng, ratingComments[rating]).in(p.zh)})
			}
		case p.rated:
			rating := ratingFor(b.rng, rep.outcome, late)
			s := step{at: b.publicAt(hour, 7*day), op: opRate, rating: rating}
			if b.chance(.7) {
				s.text = pick(b.rng, ratingComments[rating]).in(p.zh)
			}
			b.add(s)
		}
	}
}

// ratingFor draws a satisfaction rating that fits the outcome.
func ratingFor(rng *rand.Rand, outcome casefile.Outcome, late bool) int {
	x := rng.Float64()
	var r int
	switch outcome {
	case casefile.OutcomeSUPPORTED:
		r = 5
		if x > .6 {
			r = 4
		}
		if x > .92 {
			r = 3
		}
	case casefile.OutcomeEXPLAINED:
		switch {
		case x < .4:
			r = 5
		case x < .78:
			r = 4
		case x < .92:
			r = 3
		default:
			r = 2
		}
	default:
		switch {
		case x < .2:
			r = 4
		case x < .5:
			r = 3
		case x < .8:
			r = 2
		default:
			r = 1
		}
	}
	if late && r > 1 && rng.Float64() < .5 {
		r--
	}
	return r
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// Calendar helpers, in the organisation's time zone.

func (l *loader) isWorkday(t time.Time) bool {
	d := t.In(l.loc).Format(time.DateOnly)
	if l.makeup[d] {
		return true
	}
	if l.holidays[d] {
		return false
	}
	wd := t.In(l.loc).Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

func (l *loader) midnight(t time.Time) time.Time {
	local := t.In(l.loc)
	return time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, l.loc)
}

// nextWorkday returns midnight of the first working day after t.
func (l *loader) nextWorkday(t time.Time) time.Time {
	d := l.midnight(t).AddDate(0, 0, 1)
	for !l.isWorkday(d) {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

// channelTime moves t back, if needed, to a moment the channel is used:
// hotline, visits and letters in office hours on working days, web and
// email not in the small hours.
func (l *loader) channelTime(t time.Time, ch casefile.Channel, rng *rand.Rand) time.Time {
	local := t.In(l.loc)
	minutes := local.Hour()*60 + local.Minute()
	switch ch {
	case casefile.ChannelHOTLINE, casefile.ChannelVISIT, casefile.ChannelLETTER:
		if l.isWorkday(t) && minutes >= 9*60 && minutes < 17*60+30 {
			return t
		}
		d := l.midnight(t)
		if !l.isWorkday(t) || minutes < 9*60 {
			d = d.AddDate(0, 0, -1)
		}
		for !l.isWorkday(d) {
			d = d.AddDate(0, 0, -1)
		}
		return d.Add(9*hour + time.Duration(rng.Int64N(int64(8*hour+30*time.Minute))))
	default:
		if local.Hour() < 6 {
			return l.midnight(t).Add(-5*hour + time.Duration(rng.Int64N(int64(4*hour+30*time.Minute))))
		}
		return t
	}
}

// consultationDay is the public consultation meeting: a Saturday in the
// second half of March, at least 40 days before now; failing that, the
// latest Saturday that is.
func (l *loader) consultationDay() time.Time {
	lo, hi := l.midnight(l.now.AddDate(0, 0, -350)), l.midnight(l.now.AddDate(0, 0, -40))
	for d := hi; !d.Before(lo); d = d.AddDate(0, 0, -1) {
		if d.Month() == time.March && d.Weekday() == time.Saturday && d.Day() >= 14 {
			return d
		}
	}
	d := hi
	for d.Weekday() != time.Saturday {
		d = d.AddDate(0, 0, -1)
	}
	return d
}

// planAll decides every case: final status, scenario, language, channel,
// petitioner, text and timeline.
func (l *loader) planAll(n int) error {
	specs := statusSpecs(n)
	l.rng.Shuffle(len(specs), func(i, j int) { specs[i], specs[j] = specs[j], specs[i] })
	l.consultDay = l.consultationDay()

	var merges []*plan
	for i, s := range specs {
		p := &plan{idx: i, final: s.final, rounds: s.rounds, mergeInto: -1}
		p.rated = s.final == schematype.StatusClosed && l.rng.Float64() < .65
		p.intakeBy = l.rng.IntN(len(l.org.intake))
		l.plans = append(l.plans, p)
		if s.final == schematype.StatusMerged {
			merges = append(merges, p)
			continue
		}
		l.choose(p)
		if err := l.schedule(p); err != nil {
			return err
		}
	}
	for _, p := range merges {
		if !l.planDuplicate(p) {
			// No earlier case to merge into: an ordinary new case instead.
			p.final = schematype.StatusSubmitted
			l.choose(p)
			if err := l.schedule(p); err != nil {
				return err
			}
		}
	}
	return nil
}

var channelWeights = []struct {
	ch casefile.Channel
	w  float64
}{
	{casefile.ChannelWEB, .40}, {casefile.ChannelHOTLINE, .22}, {casefile.ChannelEMAIL, .14},
	{casefile.ChannelLETTER, .08}, {casefile.ChannelVISIT, .09}, {casefile.ChannelCONSULTATION, .07},
}

// choose picks channel, scenario, language, petitioner and text of p.
func (l *loader) choose(p *plan) {
	rng := l.rng
	p.channel = ""
	for {
		x := rng.Float64()
		for _, cw := range channelWeights {
			if x < cw.w {
				p.channel = cw.ch
				break
			}
			x -= cw.w
		}
		if p.channel == "" {
			p.channel = casefile.ChannelWEB
		}
		// Opinions from the consultation meeting are closed long since.
		if p.channel != casefile.ChannelCONSULTATION || (p.final == schematype.StatusClosed && p.rounds == 0) {
			break
		}
		p.channel = ""
	}
	var candidates []*scenario
	for i := range scenarios {
		sc := &scenarios[i]
		switch {
		case p.final == schematype.StatusNotAccepted:
			if !sc.outOfScope {
				continue
			}
		case sc.outOfScope:
			continue
		case p.channel == casefile.ChannelCONSULTATION:
			if !sc.consultation {
				continue
			}
		case p.final == schematype.StatusAwaitingPetitioner:
			if sc.question.zh == "" {
				continue
			}
		}
		candidates = append(candidates, sc)
	}
	p.sc = pick(rng, candidates)

	enShare := .35
	switch p.channel {
	case casefile.ChannelCONSULTATION:
		enShare = 0
	case casefile.ChannelHOTLINE, casefile.ChannelVISIT, casefile.ChannelLETTER:
		enShare = .1
	}
	p.zh = rng.Float64() >= enShare
	p.text = newFiller(p.zh, rand.New(rand.NewPCG(l.seed, uint64(p.idx)<<1)))
	p.subject, p.body = p.text.fill(p.sc.subject), p.text.fill(p.sc.body)

	p.priority = casefile.PriorityNORMAL
	if p.channel != casefile.ChannelWEB && p.sc.priority != "" {
		p.priority = p.sc.priority
	}
	// Anonymous: whistle-blowers often, others rarely, and only where the
	// channel allows it.
	anonymous := rng.Float64() < .08
	if p.sc.kind == casefile.KindREPORT {
		anonymous = rng.Float64() < .55
	}
	switch p.channel {
	case casefile.ChannelWEB, casefile.ChannelLETTER, casefile.ChannelHOTLINE:
	default:
		anonymous = false
	}
	p.contact = l.contact(rng, p.zh, p.channel, anonymous)
}

// contact invents a petitioner who uses channel.
func (l *loader) contact(rng *rand.Rand, zh bool, ch casefile.Channel, anonymous bool) workflow.Contact {
	if anonymous {
		return workflow.Contact{Anonymous: true}
	}
	var c workflow.Contact
	var local string
	if zh {
		s, g := pick(rng, surnames), pick(rng, givenNames)
		c.Name = s.han + g.han
		local = fmt.Sprintf("%s.%s%d", g.latin, s.latin, rng.IntN(90)+10)
	} else {
		c.Name = pick(rng, englishNames)
		local = strings.ToLower(strings.ReplaceAll(c.Name, " ", "."))
	}
	phone := fmt.Sprintf("138%08d", rng.IntN(100_000_000))
	email := local + "@example.com"
	switch ch {
	case casefile.ChannelWEB:
		if rng.Float64() < .7 {
			c.Phone = phone
		}
		if c.Phone == "" || rng.Float64() < .6 {
			c.Email = email
		}
	case casefile.ChannelEMAIL:
		c.Email = email
		if rng.Float64() < .3 {
			c.Phone = phone
		}
	case casefile.ChannelLETTER:
		street := pick(rng, streets)
		b, u, r := rng.IntN(20)+1, rng.IntN(4)+1, (rng.IntN(6)+1)*100+rng.IntN(4)+1
		if zh {
			c.Address = fmt.Sprintf("%s%d号楼%d单元%d室", street.zh, b, u, r)
		} else {
			c.Address = fmt.Sprintf("Room %d, Unit %d, Building %d, %s", r, u, b, street.en)
		}
		if rng.Float64() < .5 {
			c.Phone = phone
		}
	case casefile.ChannelCONSULTATION:
		if rng.Float64() < .6 {
			c.Phone = phone
		}
	default:
		c.Phone = phone
	}
	return c
}

// schedule picks when p is received and lays out its steps so that the
// last one happens before now: closed and declined cases anywhere in the
// past year, open cases recently (a quarter of them long enough ago to be
// overdue).
func (l *loader) schedule(p *plan) error {
	if p.channel == casefile.ChannelCONSULTATION {
		rng := rand.New(rand.NewPCG(l.seed, uint64(p.idx)<<1|1))
		l.build(p, l.consultDay.Add(14*hour+time.Duration(rng.Int64N(int64(150*time.Minute)))))
		if p.steps[len(p.steps)-1].at.Before(l.now.Add(-hour)) {
			return nil
		}
		p.channel = casefile.ChannelVISIT
	}
	rng := l.rng
	// A first layout measures how long the case takes.
	l.build(p, l.now.AddDate(0, 0, -200))
	length := p.steps[len(p.steps)-1].at.Sub(p.received)

	var idle time.Duration
	recent := false // open and still within its 48-hour limit
	switch p.final {
	case schematype.StatusClosed, schematype.StatusNotAccepted, schematype.StatusMerged:
		earliest := l.now.AddDate(0, 0, -360)
		span := l.now.Sub(earliest) - length - day
		if span < day {
			span = day
		}
		idle = l.now.Sub(earliest) - length - time.Duration(rng.Int64N(int64(span)))
	case schematype.StatusResponded:
		idle = time.Duration(rng.Int64N(int64(6 * day)))
	case schematype.StatusAwaitingPetitioner:
		idle = hour + time.Duration(rng.Int64N(int64(9*day)))
	default:
		if rng.Float64() < .75 {
			recent = true
		} else {
			idle = 2*day + time.Duration(rng.Int64N(int64(18*day)))
		}
	}
	recentIdle := func() time.Duration {
		room := max(time.Hour, 44*hour-length)
		return 20*time.Minute + time.Duration(rng.Int64N(int64(room)))
	}
	if recent {
		idle = recentIdle()
	}
	received := l.channelTime(l.now.Add(-idle-length), p.channel, rng)
	limit := l.now.Add(-5 * time.Minute)
	for range 10 {
		l.build(p, received)
		end := p.steps[len(p.steps)-1].at
		length = end.Sub(received)
		switch {
		case end.After(limit):
			received = l.channelTime(received.Add(-end.Sub(limit)-time.Duration(rng.Int64N(int64(2*hour)))), p.channel, rng)
		case recent && l.now.Sub(received) > 46*hour:
			received = l.channelTime(l.now.Add(-recentIdle()-length), p.channel, rng)
		default:
			return nil
		}
	}
	if end := p.steps[len(p.steps)-1].at; !end.After(limit) {
		return nil
	}
	// Still too late: shift the whole timeline back.
	shift := p.steps[len(p.steps)-1].at.Sub(limit)
	p.received, p.recorded = p.received.Add(-shift), p.recorded.Add(-shift)
	for i := range p.steps {
		p.steps[i].at = p.steps[i].at.Add(-shift)
	}
	return nil
}

// planDuplicate makes p a second submission of an earlier case by the
// same petitioner, merged into it. It reports false when there is no
// suitable earlier case.
func (l *loader) planDuplicate(p *plan) bool {
	var targets []*plan
	for _, t := range l.plans {
		if t.final == schematype.StatusMerged || t.final == schematype.StatusNotAccepted || t.sc == nil ||
			t.recorded.After(l.now.Add(-6*day)) {
			continue
		}
		targets = append(targets, t)
	}
	if len(targets) == 0 {
		return false
	}
	rng := l.rng
	t := pick(rng, targets)
	p.mergeInto = t.idx
	p.sc, p.zh, p.text = t.sc, t.zh, t.text
	p.channel = casefile.ChannelWEB
	if rng.Float64() < .4 {
		p.channel = casefile.ChannelEMAIL
	}
	if t.channel == p.channel {
		p.channel = casefile.ChannelHOTLINE
	}
	if p.zh {
		p.subject = "再次反映:" + t.subject
		p.body = "这个问题我之前已经反映过,担心没有收到,再反映一次:" + t.body
	} else {
		p.subject = "Follow-up: " + t.subject
		p.body = "I sent this before but I am not sure it arrived, so here it is again. " + t.body
	}
	if len([]rune(p.subject)) > 300 {
		p.subject = string([]rune(p.subject)[:300])
	}
	p.priority = t.priority
	p.contact = t.contact
	if p.contact.Anonymous {
		p.contact = l.contact(rng, p.zh, p.channel, false)
	} else if p.channel == casefile.ChannelEMAIL && p.contact.Email == "" {
		p.contact.Email = fmt.Sprintf("petitioner%d@example.com", rng.IntN(9000)+1000)
	}
	received := t.recorded.Add(time.Hour + time.Duration(rng.Int64N(int64(70*hour))))
	if adj := l.channelTime(received, p.channel, rng); adj.After(t.recorded.Add(time.Hour)) {
		received = adj
	}
	l.build(p, received)
	if p.steps[len(p.steps)-1].at.After(l.now.Add(-5 * time.Minute)) {
		p.mergeInto = -1
		return false
	}
	return true
}

// routedDepartment asks the policy where p's case will go, so that the
// plan's actors belong to the department that will hold it. A policy error
// is kept and reported once planning ends.
func (l *loader) routedDepartment(p *plan) string {
	in := policy.RoutingInput{
		Kind: string(p.sc.kind), Channel: string(p.channel), Priority: string(p.priority),
		Subject: p.subject, Body: p.body, IntakeDepartment: deptCustomerService,
		Category: p.sc.category, CategoryDepartment: l.org.catDept[p.sc.category],
		ServiceProject: p.sc.project, ServiceProjectDepartment: l.org.projectDept[p.sc.project],
	}
	route, err := l.policy.Route(context.Background(), in)
	if err != nil {
		if l.planErr == nil {
			l.planErr = fmt.Errorf("route case %d: %w", p.idx, err)
		}
		return deptCustomerService
	}
	if _, ok := l.org.deptID[route.Department]; !ok {
		return deptCustomerService // the workflow falls back to intake too
	}
	return route.Department
}
