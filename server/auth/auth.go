// Package auth is accounts, passwords, access tokens (JWT), rotating refresh tokens, and the
// slow-down and lock-out of repeated login failures.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/mail"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/aidledger/aidledger/server/apierr"
)

// Errors with stable codes.
var (
	ErrInvalidCredentials = apierr.New(http.StatusUnauthorized, "invalid_credentials", "wrong email or password")
	ErrInvalidToken       = apierr.New(http.StatusUnauthorized, "invalid_token", "the token is invalid or expired")
	ErrEmailTaken         = apierr.New(http.StatusConflict, "email_taken", "a user with this email exists")
)

// Config tunes the service; zero values take the defaults noted.
type Config struct {
	AccessTTL   time.Duration // 15 minutes
	RefreshTTL  time.Duration // 30 days
	MaxFailures int           // failures within Window before the key is locked; 10
	SlowAfter   int           // failures after which each further attempt is delayed; 3
	Window      time.Duration // failures older than this are forgotten; 15 minutes
	LockFor     time.Duration // 15 minutes
	Logger      *slog.Logger
	// Sleep delays a slowed-down attempt; tests replace it.
	Sleep func(context.Context, time.Duration)
}

// Service authenticates users.
type Service struct {
	db       *gorm.DB
	key      []byte
	cfg      Config
	verified verified
	cuts     cuts
}

// New makes a service signing access tokens with jwtKey.
func New(db *gorm.DB, jwtKey []byte, cfg Config) *Service {
	if cfg.AccessTTL == 0 {
		cfg.AccessTTL = 15 * time.Minute
	}
	if cfg.RefreshTTL == 0 {
		cfg.RefreshTTL = 30 * 24 * time.Hour
	}
	if cfg.MaxFailures == 0 {
		cfg.MaxFailures = 10
	}
	if cfg.SlowAfter == 0 {
		cfg.SlowAfter = 3
	}
	if cfg.Window == 0 {
		cfg.Window = 15 * time.Minute
	}
	if cfg.LockFor == 0 {
		cfg.LockFor = 15 * time.Minute
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Sleep == nil {
		cfg.Sleep = func(ctx context.Context, d time.Duration) {
			select {
			case <-ctx.Done():
			case <-time.After(d):
			}
		}
	}
	return &Service{db: db, key: jwtKey, cfg: cfg}
}

// Claims are what an access token says about its bearer.
type Claims struct {
	Role     Role   `json:"role"`
	VendorID string `json:"vendor_id,omitempty"`
	// SessionVersion is the user's session version at issue; ending their sessions raises it.
	SessionVersion int `json:"sv,omitempty"`
	jwt.RegisteredClaims
}

// UserView is a user as the API shows it.
type UserView struct {
	ID        string    `json:"id"`
	Email     string    `json:"email"`
	Role      Role      `json:"role"`
	VendorID  string    `json:"vendor_id,omitempty"`
	Disabled  bool      `json:"disabled"`
	CreatedAt time.Time `json:"created_at"`
}

func (u User) View() UserView {
	return UserView{ID: u.ID, Email: u.Email, Role: u.Role, VendorID: u.VendorID, Disabled: u.Disabled, CreatedAt: u.CreatedAt}
}

// Session is what a login or refresh returns.
type Session struct {
	AccessToken  string   `json:"access_token"`
	RefreshToken string   `json:"refresh_token"`
	ExpiresIn    int      `json:"expires_in"` // seconds until the access token expires
	TokenType    string   `json:"token_type"`
	User         UserView `json:"user"`
}

// NewUser is a user to create.
type NewUser struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	Role     Role   `json:"role"`
	VendorID string `json:"vendor_id,omitempty"`
}

func normalizeEmail(e string) string { return strings.ToLower(strings.TrimSpace(e)) }

// CreateUser validates and stores a user. Whether VendorID names a real vendor is the caller's
// business (the vendor service owns vendors).
func (s *Service) CreateUser(ctx context.Context, in NewUser) (UserView, error) {
	email := normalizeEmail(in.Email)
	if _, err := mail.ParseAddress(email); err != nil || strings.ContainsAny(email, " <>") {
		return UserView{}, apierr.Invalid("email", "not an email address")
	}
	if err := checkNewPassword("password", in.Password); err != nil {
		return UserView{}, err
	}
	if !in.Role.Valid() {
		return UserView{}, apierr.Invalid("role", "must be one of admin, aidworker, vendor, donor")
	}
	if in.Role == Vendor && in.VendorID == "" {
		return UserView{}, apierr.Invalid("vendor_id", "a vendor user must be linked to a vendor")
	}
	if in.Role != Vendor && in.VendorID != "" {
		return UserView{}, apierr.Invalid("vendor_id", "only vendor users are linked to a vendor")
	}
	hash, err := HashPassword(in.Password)
	if err != nil {
		return UserView{}, err
	}
	u := User{ID: uuid.Must(uuid.NewV7()).String(), Email: email, PasswordHash: hash, Role: in.Role, VendorID: in.VendorID}
	if err := s.db.WithContext(ctx).Create(&u).Error; err != nil {
		if errors.Is(err, gorm.ErrDuplicatedKey) {
			return UserView{}, ErrEmailTaken
		}
		return UserView{}, fmt.Errorf("create user: %w", err)
	}
	return u.View(), nil
}

// ListUsers returns users ordered by email.
func (s *Service) ListUsers(ctx context.Context) ([]UserView, error) {
	var us []User
	if err := s.db.WithContext(ctx).Order("email").Find(&us).Error; err != nil {
		return nil, err
	}
	out := make([]UserView, len(us))
	for i, u := range us {
		out[i] = u.View()
	}
	return out, nil
}

// User reads one user.
func (s *Service) User(ctx context.Context, id string) (UserView, error) {
	var u User
	if err := readUser(s.db.WithContext(ctx), id, &u); err != nil {
		return UserView{}, err
	}
	return u.View(), nil
}

// Login checks a password. Failures are counted per account and per client address: past
// SlowAfter each attempt is delayed, past MaxFailures the key is locked for LockFor (429).
func (s *Service) Login(ctx context.Context, email, password, clientIP string) (Session, error) {
	email = normalizeEmail(email)
	keys := []string{"email:" + email, "ip:" + clientIP}
	failures, err := s.checkLock(ctx, keys)
	if err != nil {
		return Session{}, err
	}
	if failures > s.cfg.SlowAfter {
		s.cfg.Sleep(ctx, min(time.Duration(failures-s.cfg.SlowAfter)*500*time.Millisecond, 5*time.Second))
	}
	var u User
	err = s.db.WithContext(ctx).First(&u, "email = ?", email).Error
	hash := u.PasswordHash
	if errors.Is(err, gorm.ErrRecordNotFound) {
		hash = dummyHash
	} else if err != nil {
		return Session{}, fmt.Errorf("read user: %w", err)
	}
	ok, err := CheckPassword(hash, password)
	if err != nil {
		return Session{}, fmt.Errorf("check password: %w", err)
	}
	if !ok || u.ID == "" || u.Disabled {
		if err := s.recordFailure(ctx, keys); err != nil {
			return Session{}, err
		}
		return Session{}, ErrInvalidCredentials
	}
	if err := s.db.WithContext(ctx).Where("key = ?", keys[0]).Delete(&LoginFailure{}).Error; err != nil {
		return Session{}, err
	}
	return s.issue(ctx, s.db.WithContext(ctx), u, uuid.Must(uuid.NewV7()).String())
}

func (s *Service) checkLock(ctx context.Context, keys []string) (int, error) {
	var rows []LoginFailure
	if err := s.db.WithContext(ctx).Where("key IN ?", keys).Find(&rows).Error; err != nil {
		return 0, fmt.Errorf("read login failures: %w", err)
	}
	now, most := time.Now().UTC(), 0
	for _, r := range rows {
		if r.LockedUntil.After(now) {
			return 0, ErrTooManyAttempts(r.LockedUntil.Sub(now))
		}
		if now.Sub(r.FirstAt) < s.cfg.Window && r.Count > most {
			most = r.Count
		}
	}
	return most, nil
}

// ErrTooManyAttempts is 429 too_many_attempts, telling how long the lock lasts.
func ErrTooManyAttempts(left time.Duration) error {
	return apierr.ErrTooManyAttempts.Withf("too many failed logins; try again in %d minutes", int(left.Minutes())+1).
		WithDetail("retry_after_seconds", int(left.Seconds())+1)
}

func (s *Service) recordFailure(ctx context.Context, keys []string) error {
	now := time.Now().UTC()
	return s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		for _, k := range keys {
			var r LoginFailure
			err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&r, "key = ?", k).Error
			if err != nil && !errors.Is(err, gorm.ErrRecordNotFound) {
				return err
			}
			if r.Key == "" || now.Sub(r.FirstAt) >= s.cfg.Window {
				r = LoginFailure{Key: k, FirstAt: now}
			}
			r.Count++
			if r.Count >= s.cfg.MaxFailures {
				r.LockedUntil = now.Add(s.cfg.LockFor)
				s.cfg.Logger.Warn("login locked after repeated failures", "kind", strings.SplitN(k, ":", 2)[0])
			}
			if err := tx.Save(&r).Error; err != nil {
				return err
			}
		}
		return nil
	})
}

// issue makes a new access token and a refresh token in the given family.
func (s *Service) issue(ctx context.Context, db *gorm.DB, u User, family string) (Session, error) {
	now := time.Now().UTC()
	access, err := jwt.NewWithClaims(jwt.SigningMethodHS256, Claims{
		Role: u.Role, VendorID: u.VendorID, SessionVersion: u.SessionVersion,
		RegisteredClaims: jwt.RegisteredClaims{
			Subject: u.ID, IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(s.cfg.AccessTTL)),
			ID: uuid.NewString(), Issuer: "aidledger",
		},
	}).SignedString(s.key)
	if err != nil {
		return Session{}, err
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return Session{}, err
	}
	refresh := base64.RawURLEncoding.EncodeToString(raw)
	rt := RefreshToken{ID: uuid.Must(uuid.NewV7()).String(), UserID: u.ID, Family: family, Hash: tokenHash(refresh), ExpiresAt: now.Add(s.cfg.RefreshTTL)}
	if err := db.Create(&rt).Error; err != nil {
		return Session{}, fmt.Errorf("store refresh token: %w", err)
	}
	return Session{AccessToken: access, RefreshToken: refresh, ExpiresIn: int(s.cfg.AccessTTL.Seconds()), TokenType: "Bearer", User: u.View()}, nil
}

func tokenHash(t string) string {
	h := sha256.Sum256([]byte(t))
	return hex.EncodeToString(h[:])
}

// Refresh exchanges a refresh token for a new session. The old token is spent; spending it twice
// means it was copied, and the whole family is revoked.
func (s *Service) Refresh(ctx context.Context, token string) (Session, error) {
	var out Session
	var reused bool
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var rt RefreshToken
		err := tx.Clauses(clause.Locking{Strength: "UPDATE"}).First(&rt, "hash = ?", tokenHash(token)).Error
		if errors.Is(err, gorm.ErrRecordNotFound) {
			return ErrInvalidToken
		}
		if err != nil {
			return err
		}
		now := time.Now().UTC()
		if rt.UsedAt != nil {
			reused = true
			return tx.Model(&RefreshToken{}).Where("family = ? AND revoked_at IS NULL", rt.Family).Update("revoked_at", now).Error
		}
		if rt.RevokedAt != nil || now.After(rt.ExpiresAt) {
			return ErrInvalidToken
		}
		var u User
		if err := tx.First(&u, "id = ?", rt.UserID).Error; err != nil || u.Disabled {
			return ErrInvalidToken
		}
		res := tx.Model(&RefreshToken{}).Where("id = ? AND used_at IS NULL", rt.ID).Update("used_at", now)
		if res.Error != nil {
			return res.Error
		}
		if res.RowsAffected != 1 {
			return ErrInvalidToken
		}
		out, err = s.issue(ctx, tx, u, rt.Family)
		return err
	})
	if reused {
		s.cfg.Logger.Warn("refresh token reused: its family is revoked")
		return Session{}, ErrInvalidToken
	}
	return out, err
}

// Logout revokes the refresh token's family. Unknown tokens are not an error: logging out twice
// is fine.
func (s *Service) Logout(ctx context.Context, token string) error {
	var rt RefreshToken
	err := s.db.WithContext(ctx).First(&rt, "hash = ?", tokenHash(token)).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.db.WithContext(ctx).Model(&RefreshToken{}).Where("family = ? AND revoked_at IS NULL", rt.Family).
		Update("revoked_at", time.Now().UTC()).Error
}

// Verify checks an access token and returns its claims.
func (s *Service) Verify(token string) (*Claims, error) {
	now := time.Now()
	if c, ok := s.verified.get(token, now); ok {
		return s.current(c)
	}
	var c Claims
	_, err := jwt.ParseWithClaims(token, &c, func(*jwt.Token) (any, error) { return s.key, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), jwt.WithIssuer("aidledger"), jwt.WithExpirationRequired())
	if err != nil {
		return nil, ErrInvalidToken
	}
	if !c.Role.Valid() || c.Subject == "" {
		return nil, ErrInvalidToken
	}
	s.verified.put(token, c, now)
	return s.current(&c)
}

// current refuses a token issued before its user's sessions were ended.
func (s *Service) current(c *Claims) (*Claims, error) {
	if c.SessionVersion < s.cuts.of(c.Subject) {
		return nil, ErrInvalidToken
	}
	return c, nil
}
