package workflow

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/xinfang/xinfang/ent"
	"github.com/xinfang/xinfang/ent/department"
	"github.com/xinfang/xinfang/internal/apperr"
)

// Policies name departments by code, which is the same in every
// installation; the database links cases to department IDs. The
// departmentIndex translates between them without a query per decision.

// departmentCacheTTL is how long the index is trusted: departments change
// only when an administrator reorganises them, and an unknown ID or code
// reloads it at once.
const departmentCacheTTL = time.Minute

type departmentEntry struct {
	id     int
	code   string
	active bool
	intake bool
}

type departmentIndex struct {
	byID   map[int]departmentEntry
	byCode map[string]departmentEntry
	// intake is the active intake department, the routing fallback; zero
	// when there is none.
	intake departmentEntry
	loaded time.Time
}

// departmentCache holds the current index.
type departmentCache struct {
	mu    sync.Mutex
	index *departmentIndex
}

// departments returns the index, reloading it when stale.
func (s *Service) departments(ctx context.Context) (*departmentIndex, error) {
	s.deptCache.mu.Lock()
	idx := s.deptCache.index
	s.deptCache.mu.Unlock()
	if idx != nil && time.Since(idx.loaded) < departmentCacheTTL {
		return idx, nil
	}
	return s.reloadDepartments(ctx)
}

func (s *Service) reloadDepartments(ctx context.Context) (*departmentIndex, error) {
	rows, err := s.client.Department.Query().
		Select(department.FieldID, department.FieldCode, department.FieldActive, department.FieldIntake).
		Order(ent.Asc(department.FieldID)).
		All(ctx)
	if err != nil {
		return nil, fmt.Errorf("load departments: %w", err)
	}
	idx := &departmentIndex{byID: map[int]departmentEntry{}, byCode: map[string]departmentEntry{}, loaded: time.Now()}
	for _, d := range rows {
		e := departmentEntry{id: d.ID, code: d.Code, active: d.Active, intake: d.Intake}
		idx.byID[d.ID], idx.byCode[d.Code] = e, e
		if e.intake && e.active && idx.intake.id == 0 {
			idx.intake = e
		}
	}
	s.deptCache.mu.Lock()
	s.deptCache.index = idx
	s.deptCache.mu.Unlock()
	return idx, nil
}

// departmentByID returns a department's entry, reloading the index once
// when the ID is unknown (a department created since the last load).
func (s *Service) departmentByID(ctx context.Context, id int) (departmentEntry, error) {
	idx, err := s.departments(ctx)
	if err != nil {
		return departmentEntry{}, err
	}
	if e, ok := idx.byID[id]; ok {
		return e, nil
	}
	if idx, err = s.reloadDepartments(ctx); err != nil {
		return departmentEntry{}, err
	}
	if e, ok := idx.byID[id]; ok {
		return e, nil
	}
	return departmentEntry{}, apperr.New(apperr.NotFound, "department.unknown")
}

// departmentCode is the code of department id, "" for no department.
func (s *Service) departmentCode(ctx context.Context, id *int) (string, error) {
	if id == nil {
		return "", nil
	}
	e, err := s.departmentByID(ctx, *id)
	if err != nil {
		return "", err
	}
	return e.code, nil
}

// activeDepartmentByCode resolves a code a policy named, reloading the index
// once when the code is unknown.
func (s *Service) activeDepartmentByCode(ctx context.Context, code string) (departmentEntry, bool, error) {
	idx, err := s.departments(ctx)
	if err != nil {
		return departmentEntry{}, false, err
	}
	e, ok := idx.byCode[code]
	if !ok {
		if idx, err = s.reloadDepartments(ctx); err != nil {
			return departmentEntry{}, false, err
		}
		e, ok = idx.byCode[code]
	}
	return e, ok && e.active, nil
}
