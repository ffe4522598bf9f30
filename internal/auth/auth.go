package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/crypto/bcrypt"

	"github.com/xinfang/xinfang/ent"
	"github.com/xinfang/xinfang/ent/staff"
	"github.com/xinfang/xinfang/internal/apperr"
	"github.com/xinfang/xinfang/internal/ratelimit"
	"github.com/xinfang/xinfang/policy"
)

// Service issues and verifies staff sessions.
type Service struct {
	client   *ent.Client
	key      []byte
	ttl      time.Duration
	now      func() time.Time
	failures *ratelimit.Failures
	members  memberCache
}

// Sign-in guessing limit per client address and username.
const (
	loginMaxFailures = 10
	loginWindow      = 15 * time.Minute
	issuer           = "xinfang"
	// bcryptCost is bcrypt's default; a sign-in costs ~60 ms of CPU.
	bcryptCost = bcrypt.DefaultCost
	// MinPasswordLength is the shortest password accepted for staff.
	MinPasswordLength = 10
)

// New returns a Service signing tokens with key, valid for ttl.
func New(client *ent.Client, key []byte, ttl time.Duration, now func() time.Time) (*Service, error) {
	if len(key) < 32 {
		return nil, errors.New("auth: the token signing key must be at least 32 bytes")
	}
	if now == nil {
		now = time.Now
	}
	if ttl <= 0 {
		ttl = 12 * time.Hour
	}
	return &Service{client: client, key: key, ttl: ttl, now: now,
		failures: ratelimit.NewFailures(loginMaxFailures, loginWindow, now),
		members:  memberCache{entries: map[int]cachedMember{}}}, nil
}

// Session is a signed-in staff member.
type Session struct {
	Token     string
	ExpiresAt time.Time
	Staff     *ent.Staff
}

type claims struct {
	Role         string `json:"role"`
	DepartmentID int    `json:"dept,omitempty"`
	jwt.RegisteredClaims
}

// Login checks a username and password and returns a session.
func (a *Service) Login(ctx context.Context, clientAddr, username, password string) (*Session, error) {
	key := clientAddr + "|" + username
	if ok, wait := a.failures.Allowed(key); !ok {
		secs := int(wait/time.Second) + 1
		return nil, apperr.New(apperr.RateLimited, "auth.rate_limited").With("seconds", secs).Extend("retryAfterSeconds", secs)
	}
	member, err := a.client.Staff.Query().Where(staff.Username(username)).Only(ctx)
	if err != nil && !ent.IsNotFound(err) {
		return nil, fmt.Errorf("load staff %q: %w", username, err)
	}
	if member == nil || !member.Active || !CheckPassword(member.PasswordHash, password) {
		if member == nil {
			// Spend the same time as a real check, so timing does not
			// tell which usernames exist.
			CheckPassword(dummyHash, password)
		}
		a.failures.Fail(key)
		return nil, apperr.New(apperr.Unauthenticated, "auth.bad_credentials")
	}
	a.failures.Succeed(key)
	now := a.now()
	member, err = member.Update().SetLastLoginAt(now).Save(ctx)
	if err != nil {
		return nil, fmt.Errorf("record sign-in of %q: %w", username, err)
	}
	token, expires, err := a.issue(member, now)
	if err != nil {
		return nil, err
	}
	return &Session{Token: token, ExpiresAt: expires, Staff: member}, nil
}

// Issue returns a token for a staff member, for tools and tests.
func (a *Service) Issue(member *ent.Staff) (string, error) {
	token, _, err := a.issue(member, a.now())
	return token, err
}

func (a *Service) issue(member *ent.Staff, now time.Time) (string, time.Time, error) {
	expires := now.Add(a.ttl)
	c := claims{
		Role: string(member.Role),
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    issuer,
			Subject:   fmt.Sprint(member.ID),
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(expires),
		},
	}
	if member.DepartmentID != nil {
		c.DepartmentID = *member.DepartmentID
	}
	token, err := jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(a.key)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("sign token: %w", err)
	}
	return token, expires, nil
}

// Verify checks a token and returns the staff member it names as a
// policy subject.
func (a *Service) Verify(token string) (policy.Subject, error) {
	var c claims
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return a.key, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(issuer),
		jwt.WithExpirationRequired(),
		jwt.WithTimeFunc(a.now),
	)
	if err != nil {
		return policy.Subject{}, apperr.New(apperr.Unauthenticated, "auth.token_invalid").Wrap(err)
	}
	var id int
	if _, err := fmt.Sscan(c.Subject, &id); err != nil || id == 0 {
		return policy.Subject{}, apperr.New(apperr.Unauthenticated, "auth.token_invalid")
	}
	return policy.Subject{Kind: policy.StaffMember, StaffID: id, Role: policy.Role(c.Role), DepartmentID: c.DepartmentID}, nil
}

// HashPassword returns the bcrypt hash of a password.
func HashPassword(password string) (string, error) {
	if len(password) < MinPasswordLength {
		return "", apperr.Field("password", "auth.password_short").With("min", MinPasswordLength)
	}
	if len(password) > 72 {
		return "", apperr.Field("password", "auth.password_long")
	}
	b, err := bcrypt.GenerateFromPassword([]byte(password), bcryptCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(b), nil
}

// CheckPassword reports whether password matches a bcrypt hash.
func CheckPassword(hash, password string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

// dummyHash is a bcrypt hash of a random string, compared against when the
// username does not exist.
var dummyHash = func() string {
	b, _ := bcrypt.GenerateFromPassword([]byte("xinfang-no-such-user"), bcryptCost)
	return string(b)
}()

// BearerToken extracts the token of an "Authorization: Bearer ..." header.
func BearerToken(header string) (string, bool) {
	scheme, token, ok := strings.Cut(strings.TrimSpace(header), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
		return "", false
	}
	return strings.TrimSpace(token), true
}
