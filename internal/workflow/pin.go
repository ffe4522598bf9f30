package workflow

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/xinfang/xinfang/ent"
	"github.com/xinfang/xinfang/ent/casefile"
	"github.com/xinfang/xinfang/internal/apperr"
	"github.com/xinfang/xinfang/policy"
)

// PINs are 8 random digits. They are stored as "nonce$mac" where mac is
// HMAC-SHA256(server secret, nonce || pin): a keyed hash, cheap enough for
// thousands of submissions a second, and useless to whoever steals the
// database without the secret. Guessing is bounded per tracking code (in
// the database, so across replicas) and per client address.
const pinDigits = 8

// newPIN returns a random PIN.
func newPIN() (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("read random PIN: %w", err)
	}
	return digits(binary.BigEndian.Uint64(b[:])), nil
}

// idempotentPIN derives the PIN of a submission from its idempotency key,
// so that a retried submission returns the same PIN without the PIN being
// stored anywhere.
func (s *Service) idempotentPIN(keyHash string) string {
	mac := hmac.New(sha256.New, s.pinSecret)
	mac.Write([]byte("pin|" + keyHash))
	return digits(binary.BigEndian.Uint64(mac.Sum(nil)[:8]))
}

func digits(v uint64) string {
	const mod = 100_000_000 // 10^pinDigits
	return fmt.Sprintf("%0*d", pinDigits, v%mod)
}

// hashPIN returns the stored form of a PIN.
func (s *Service) hashPIN(pin string) (string, error) {
	var nonce [16]byte
	if _, err := rand.Read(nonce[:]); err != nil {
		return "", fmt.Errorf("read PIN nonce: %w", err)
	}
	return hex.EncodeToString(nonce[:]) + "$" + s.pinMAC(nonce[:], pin), nil
}

func (s *Service) pinMAC(nonce []byte, pin string) string {
	mac := hmac.New(sha256.New, s.pinSecret)
	mac.Write(nonce)
	mac.Write([]byte(pin))
	return hex.EncodeToString(mac.Sum(nil))
}

// pinMatches compares a PIN with its stored form in constant time.
func (s *Service) pinMatches(stored, pin string) bool {
	nonceHex, macHex, ok := strings.Cut(stored, "$")
	if !ok {
		return false
	}
	nonce, err := hex.DecodeString(nonceHex)
	if err != nil {
		return false
	}
	return hmac.Equal([]byte(s.pinMAC(nonce, pin)), []byte(macHex))
}

// PetitionerAccess checks a tracking code and PIN and returns a context in
// which the caller is the petitioner of that case, with the case ID. Every
// failure looks the same to the caller (UNAUTHENTICATED), so that a code
// alone reveals nothing; repeated failures give RATE_LIMITED.
func (s *Service) PetitionerAccess(ctx context.Context, clientAddr, trackingCode, pin string) (context.Context, int, error) {
	if ok, wait := s.pinsPerIP.Allowed(clientAddr); !ok {
		return ctx, 0, rateLimited(wait)
	}
	refuse := func() (context.Context, int, error) {
		s.pinsPerIP.Fail(clientAddr)
		return ctx, 0, apperr.New(apperr.Unauthenticated, "petitioner.bad_code_or_pin")
	}
	id, year, ok := ParseTrackingCode(strings.ToUpper(strings.TrimSpace(trackingCode)))
	if !ok {
		return refuse()
	}
	c, err := s.client.CaseFile.Query().
		Where(casefile.ID(id)).
		Select(casefile.FieldID, casefile.FieldPinHash, casefile.FieldPinFailures,
			casefile.FieldPinLockedUntil, casefile.FieldReceivedAt).
		Only(ctx)
	if ent.IsNotFound(err) {
		return refuse()
	}
	if err != nil {
		return ctx, 0, fmt.Errorf("load case for PIN check: %w", err)
	}
	now := s.clock()
	if c.PinLockedUntil != nil && now.Before(*c.PinLockedUntil) {
		return ctx, 0, rateLimited(c.PinLockedUntil.Sub(now))
	}
	if c.ReceivedAt.In(s.location).Year() != year || !s.pinMatches(c.PinHash, strings.TrimSpace(pin)) {
		if err := s.countPINFailure(ctx, c, now); err != nil {
			return ctx, 0, err
		}
		return refuse()
	}
	if c.PinFailures > 0 {
		if err := s.client.CaseFile.UpdateOneID(id).SetPinFailures(0).ClearPinLockedUntil().Exec(ctx); err != nil {
			return ctx, 0, fmt.Errorf("reset PIN failures: %w", err)
		}
	}
	s.pinsPerIP.Succeed(clientAddr)
	return withPetitioner(ctx, id), id, nil
}

// withPetitioner returns a context in which the caller is the petitioner
// of case id.
func withPetitioner(ctx context.Context, id int) context.Context {
	return policy.WithSubject(ctx, policy.Subject{Kind: policy.Petitioner, CaseID: id})
}

// countPINFailure records a wrong PIN for the case, locking the code after
// pinMaxFailures. It writes outside any request transaction so the count
// survives the refused request.
func (s *Service) countPINFailure(ctx context.Context, c *ent.CaseFile, now time.Time) error {
	upd := s.client.CaseFile.UpdateOneID(c.ID)
	if c.PinFailures+1 >= pinMaxFailures {
		upd.SetPinFailures(0).SetPinLockedUntil(now.Add(pinLockout))
	} else {
		upd.AddPinFailures(1)
	}
	if err := upd.Exec(ctx); err != nil {
		return fmt.Errorf("count PIN failure: %w", err)
	}
	return nil
}

func rateLimited(wait time.Duration) *apperr.Error {
	secs := int(wait.Round(time.Second) / time.Second)
	if secs < 1 {
		secs = 1
	}
	return apperr.New(apperr.RateLimited, "petitioner.rate_limited").
		With("seconds", secs).
		Extend("retryAfterSeconds", secs)
}
