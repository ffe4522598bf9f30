package workflow

import (
	"context"
)

// Credentials are what a petitioner presents: the tracking code and PIN,
// and the client address they come from (for the guessing limit).
type Credentials struct {
	ClientAddr   string
	TrackingCode string
	PIN          string
}

// asPetitioner checks credentials, runs act as the case's petitioner and
// returns the petitioner's view of the case afterwards.
func (s *Service) asPetitioner(ctx context.Context, cred Credentials, act func(ctx context.Context, id int) error) (*PublicCase, error) {
	ctx, id, err := s.PetitionerAccess(ctx, cred.ClientAddr, cred.TrackingCode, cred.PIN)
	if err != nil {
		return nil, err
	}
	if act != nil {
		if err := act(ctx, id); err != nil {
			return nil, err
		}
	}
	return s.PublicView(ctx, id)
}

// OpenPublicCase returns the petitioner's view of the case the credentials
// open.
func (s *Service) OpenPublicCase(ctx context.Context, cred Credentials) (*PublicCase, error) {
	return s.asPetitioner(ctx, cred, nil)
}

// PetitionerProvideInformation answers the organisation's question.
func (s *Service) PetitionerProvideInformation(ctx context.Context, cred Credentials, version *int, answer string) (*PublicCase, error) {
	return s.asPetitioner(ctx, cred, func(ctx context.Context, id int) error {
		_, err := s.ProvideInformation(ctx, Ref{ID: id, Version: version}, answer)
		return err
	})
}

// PetitionerRate rates the handling of a closed case.
func (s *Service) PetitionerRate(ctx context.Context, cred Credentials, version *int, rating int, comment string) (*PublicCase, error) {
	return s.asPetitioner(ctx, cred, func(ctx context.Context, id int) error {
		_, err := s.Rate(ctx, Ref{ID: id, Version: version}, rating, comment)
		return err
	})
}

// PetitionerRequestReview asks for a review of a closed case.
func (s *Service) PetitionerRequestReview(ctx context.Context, cred Credentials, version *int, reason string) (*PublicCase, error) {
	return s.asPetitioner(ctx, cred, func(ctx context.Context, id int) error {
		_, err := s.RequestReview(ctx, Ref{ID: id, Version: version}, reason)
		return err
	})
}

// ReceiptView returns the petitioner's view of a just-submitted case.
func (s *Service) ReceiptView(ctx context.Context, r *Receipt) (*PublicCase, error) {
	return s.PublicView(withPetitioner(ctx, r.CaseID), r.CaseID)
}
