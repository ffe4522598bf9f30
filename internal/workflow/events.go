package workflow

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/xinfang/xinfang/ent"
	"github.com/xinfang/xinfang/ent/caseevent"
)

// eventContent is the hashed content of a case event.
type eventContent struct {
	Seq        int
	Type       caseevent.Type
	ActorKind  caseevent.ActorKind
	ActorID    *int
	OccurredAt time.Time
	From       *status
	To         status
	Public     bool
	Payload    map[string]any
	PrevHash   string
}

// hash is SHA-256 over the previous hash and a canonical JSON encoding of
// the event (encoding/json sorts map keys, and times are UTC at
// microsecond precision, so the encoding survives a database round trip).
func (e eventContent) hash() string {
	canonical, err := json.Marshal(struct {
		Prev       string         `json:"prev"`
		Seq        int            `json:"seq"`
		Type       string         `json:"type"`
		ActorKind  string         `json:"actorKind"`
		ActorID    *int           `json:"actorId"`
		OccurredAt string         `json:"occurredAt"`
		From       *status        `json:"from"`
		To         status         `json:"to"`
		Public     bool           `json:"public"`
		Payload    map[string]any `json:"payload"`
	}{
		Prev: e.PrevHash, Seq: e.Seq, Type: string(e.Type), ActorKind: string(e.ActorKind),
		ActorID: e.ActorID, OccurredAt: e.OccurredAt.UTC().Format(time.RFC3339Nano),
		From: e.From, To: e.To, Public: e.Public, Payload: e.Payload,
	})
	if err != nil {
		// Payloads hold strings, numbers and booleans only.
		panic(fmt.Sprintf("workflow: encode event for hashing: %v", err))
	}
	sum := sha256.Sum256(canonical)
	return hex.EncodeToString(sum[:])
}

func (e eventContent) create(b *ent.CaseEventCreate, caseID int, hash string) *ent.CaseEventCreate {
	b.SetCaseID(caseID).
		SetSeq(e.Seq).
		SetType(e.Type).
		SetActorKind(e.ActorKind).
		SetNillableActorID(e.ActorID).
		SetOccurredAt(e.OccurredAt).
		SetToStatus(e.To).
		SetPublic(e.Public).
		SetPrevHash(e.PrevHash).
		SetHash(hash)
	if e.From != nil {
		b.SetFromStatus(*e.From)
	}
	if e.Payload != nil {
		b.SetPayload(e.Payload)
	}
	return b
}

// enqueue writes ev's row of the analytics outbox in the transaction that
// appended ev, so the relay ships exactly the events that were committed.
func enqueue(ctx context.Context, tx *ent.Tx, ev *ent.CaseEvent) error {
	if err := tx.Outbox.Create().SetEventID(ev.ID).SetCreatedAt(ev.OccurredAt).Exec(ctx); err != nil {
		return fmt.Errorf("enqueue event %d of case %d for analytics: %w", ev.ID, ev.CaseID, err)
	}
	return nil
}

func contentOf(ev *ent.CaseEvent) eventContent {
	return eventContent{
		Seq: ev.Seq, Type: ev.Type, ActorKind: ev.ActorKind, ActorID: ev.ActorID,
		OccurredAt: ev.OccurredAt, From: ev.FromStatus, To: ev.ToStatus,
		Public: ev.Public, Payload: ev.Payload, PrevHash: ev.PrevHash,
	}
}

// ChainError describes where a case's event chain is broken.
type ChainError struct {
	CaseID int
	Seq    int
	Reason string
}

func (e *ChainError) Error() string {
	return fmt.Sprintf("case %d: event chain broken at event %d: %s", e.CaseID, e.Seq, e.Reason)
}

// VerifyChain checks that the events of a case are numbered 1..n without
// gaps, that each names its predecessor's hash, that each hash matches its
// content, and that the case's head hash and version match the last event.
// It returns a *ChainError when the chain is broken.
func (s *Service) VerifyChain(ctx context.Context, caseID int) error {
	c, err := s.client.CaseFile.Get(ctx, caseID)
	if err != nil {
		return fmt.Errorf("load case %d: %w", caseID, err)
	}
	events, err := s.client.CaseEvent.Query().
		Where(caseevent.CaseID(caseID)).
		Order(ent.Asc(caseevent.FieldSeq)).
		All(ctx)
	if err != nil {
		return fmt.Errorf("load events of case %d: %w", caseID, err)
	}
	prev := ""
	for i, ev := range events {
		switch {
		case ev.Seq != i+1:
			return &ChainError{caseID, ev.Seq, fmt.Sprintf("expected position %d", i+1)}
		case ev.PrevHash != prev:
			return &ChainError{caseID, ev.Seq, "previous hash does not match"}
		case contentOf(ev).hash() != ev.Hash:
			return &ChainError{caseID, ev.Seq, "content does not match its hash"}
		}
		prev = ev.Hash
	}
	if c.LastEventHash != prev {
		return &ChainError{caseID, len(events), "case head hash does not match the last event"}
	}
	if c.Version != len(events) {
		return &ChainError{caseID, len(events), fmt.Sprintf("case version %d but %d events", c.Version, len(events))}
	}
	return nil
}
