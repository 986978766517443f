package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/apierr"
)

// ErrOwnAccount refuses an admin's action on their own account that would lock them out or skip
// the check of their current password.
var ErrOwnAccount = apierr.New(http.StatusConflict, "own_account", "not on your own account")

// checkNewPassword is the rule for every password a user is given.
func checkNewPassword(field, pw string) error {
	if len(pw) < 10 {
		return apierr.Invalid(field, "must be at least 10 characters")
	}
	if len(pw) > 200 {
		return apierr.Invalid(field, "must be at most 200 characters")
	}
	return nil
}

// UserByEmail reads one user by login, for the command line.
func (s *Service) UserByEmail(ctx context.Context, email string) (UserView, error) {
	var u User
	err := s.db.WithContext(ctx).First(&u, "email = ?", normalizeEmail(email)).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return UserView{}, apierr.ErrNotFound.Withf("no user with this email")
	}
	return u.View(), err
}

// SetDisabled disables or enables an account. Disabling ends every session at once: a stolen
// vendor phone or a departed worker's laptop must stop working now, not when its access token
// expires. actor is the admin doing it ("" from the command line); nobody disables themselves,
// so an admin account always remains that can undo a mistake.
func (s *Service) SetDisabled(ctx context.Context, actor, id string, disabled bool) (UserView, error) {
	if disabled && actor == id {
		return UserView{}, ErrOwnAccount.Withf("you cannot disable your own account")
	}
	var u User
	var cut int
	err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := readUser(tx, id, &u); err != nil {
			return err
		}
		if u.Disabled == disabled {
			return nil
		}
		if err := tx.Model(&User{}).Where("id = ?", id).Update("disabled", disabled).Error; err != nil {
			return err
		}
		u.Disabled = disabled
		if !disabled {
			return nil
		}
		var err error
		cut, err = endSessions(tx, id)
		return err
	})
	if err != nil {
		return UserView{}, fmt.Errorf("set user %s disabled=%t: %w", id, disabled, err)
	}
	s.cuts.raise(id, cut)
	s.cfg.Logger.Info("account status changed", "user", id, "disabled", disabled, "by", actor)
	return u.View(), nil
}

// SetPassword gives a user a new password (the admin's reset, or the command line's for a
// locked-out admin) and ends their sessions. Admins change their own with ChangePassword,
// which asks for the current one.
func (s *Service) SetPassword(ctx context.Context, actor, id, password string) error {
	if actor == id {
		return ErrOwnAccount.Withf("change your own password with POST /api/v1/me/password")
	}
	if err := checkNewPassword("password", password); err != nil {
		return err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return err
	}
	var cut int
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		var u User
		if err := readUser(tx, id, &u); err != nil {
			return err
		}
		cut, err = replacePassword(tx, id, hash)
		return err
	})
	if err != nil {
		return fmt.Errorf("set password of user %s: %w", id, err)
	}
	s.cuts.raise(id, cut)
	s.cfg.Logger.Info("password set", "user", id, "by", actor)
	return nil
}

// ChangePassword is a user's own change: it needs the current password (wrong guesses count
// toward the login lock-out, so a stolen session cannot search for it), ends every other
// session, and returns a new one for the caller.
func (s *Service) ChangePassword(ctx context.Context, id, current, next, clientIP string) (Session, error) {
	var u User
	if err := readUser(s.db.WithContext(ctx), id, &u); err != nil {
		return Session{}, err
	}
	keys := []string{"email:" + u.Email, "ip:" + clientIP}
	if _, err := s.checkLock(ctx, keys); err != nil {
		return Session{}, err
	}
	ok, err := CheckPassword(u.PasswordHash, current)
	if err != nil {
		return Session{}, fmt.Errorf("check password: %w", err)
	}
	if !ok {
		if err := s.recordFailure(ctx, keys); err != nil {
			return Session{}, err
		}
		return Session{}, apierr.Invalid("current_password", "is not your current password")
	}
	if err := checkNewPassword("new_password", next); err != nil {
		return Session{}, err
	}
	hash, err := HashPassword(next)
	if err != nil {
		return Session{}, err
	}
	var out Session
	err = s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if _, err := replacePassword(tx, id, hash); err != nil {
			return err
		}
		if err := readUser(tx, id, &u); err != nil {
			return err
		}
		out, err = s.issue(ctx, tx, u, uuid.Must(uuid.NewV7()).String())
		return err
	})
	if err != nil {
		return Session{}, fmt.Errorf("change password of user %s: %w", id, err)
	}
	s.cuts.raise(id, u.SessionVersion)
	s.cfg.Logger.Info("password changed", "user", id)
	return out, nil
}

func readUser(tx *gorm.DB, id string, u *User) error {
	err := tx.First(u, "id = ?", id).Error
	if errors.Is(err, gorm.ErrRecordNotFound) {
		return apierr.ErrNotFound.Withf("no such user")
	}
	return err
}

// replacePassword stores a new password hash and ends every session the old password opened.
func replacePassword(tx *gorm.DB, id, hash string) (int, error) {
	if err := tx.Model(&User{}).Where("id = ?", id).Update("password_hash", hash).Error; err != nil {
		return 0, err
	}
	return endSessions(tx, id)
}

// endSessions revokes every refresh token of a user and raises their session version, which
// refuses every access token issued before. It returns the new version.
func endSessions(tx *gorm.DB, id string) (int, error) {
	if err := tx.Model(&User{}).Where("id = ?", id).Update("session_version", gorm.Expr("session_version + 1")).Error; err != nil {
		return 0, fmt.Errorf("raise session version: %w", err)
	}
	if err := tx.Model(&RefreshToken{}).Where("user_id = ? AND revoked_at IS NULL", id).Update("revoked_at", time.Now().UTC()).Error; err != nil {
		return 0, fmt.Errorf("revoke refresh tokens: %w", err)
	}
	var v int
	if err := tx.Model(&User{}).Select("session_version").Where("id = ?", id).Scan(&v).Error; err != nil {
		return 0, fmt.Errorf("read session version: %w", err)
	}
	return v, nil
}
