package auth

import (
	"time"

	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/store"
)

// Role is what a user may do; the API's route table maps routes to roles.
type Role string

const (
	Admin     Role = "admin"
	AidWorker Role = "aidworker"
	Vendor    Role = "vendor"
	Donor     Role = "donor"
)

// Roles lists every role, for validation and for the route-table test.
var Roles = []Role{Admin, AidWorker, Vendor, Donor}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if r == x {
			return true
		}
	}
	return false
}

// User is an account. Vendor users are linked to exactly one vendor.
type User struct {
	ID           string `gorm:"primaryKey;size:36"`
	Email        string `gorm:"size:254;not null;uniqueIndex"`
	PasswordHash string `gorm:"size:200;not null"`
	Role         Role   `gorm:"size:16;not null"`
	VendorID     string `gorm:"size:36;index"`
	Disabled     bool   `gorm:"not null;default:false"`
	// SessionVersion rises each time the user's sessions are ended (disabled, password set or
	// changed); access tokens carry the version they were issued at.
	SessionVersion int `gorm:"not null;default:0"`
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

func (User) TableName() string { return "users" }

// RefreshToken is stored as a hash only. Tokens rotate on every use; a family is the chain of
// tokens that descend from one login, so presenting an already-used token (a stolen copy)
// revokes the whole family.
type RefreshToken struct {
	ID        string `gorm:"primaryKey;size:36"`
	UserID    string `gorm:"size:36;not null;index"`
	Family    string `gorm:"size:36;not null;index"`
	Hash      string `gorm:"size:64;not null;uniqueIndex"`
	ExpiresAt time.Time
	UsedAt    *time.Time
	RevokedAt *time.Time
	CreatedAt time.Time
}

func (RefreshToken) TableName() string { return "refresh_tokens" }

// LoginFailure counts recent failed logins per key ("email:…" or "ip:…").
type LoginFailure struct {
	Key         string `gorm:"primaryKey;size:300"`
	Count       int    `gorm:"not null"`
	FirstAt     time.Time
	LockedUntil time.Time
}

func (LoginFailure) TableName() string { return "login_failures" }

// Frozen copies of the models as migration 1 created them: later changes to the live models
// must come as new migrations, never by editing these.
type userV1 struct {
	ID           string `gorm:"primaryKey;size:36"`
	Email        string `gorm:"size:254;not null;uniqueIndex"`
	PasswordHash string `gorm:"size:200;not null"`
	Role         Role   `gorm:"size:16;not null"`
	VendorID     string `gorm:"size:36;index"`
	Disabled     bool   `gorm:"not null;default:false"`
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

func (userV1) TableName() string { return "users" }

type refreshTokenV1 struct {
	ID        string `gorm:"primaryKey;size:36"`
	UserID    string `gorm:"size:36;not null;index"`
	Family    string `gorm:"size:36;not null;index"`
	Hash      string `gorm:"size:64;not null;uniqueIndex"`
	ExpiresAt time.Time
	UsedAt    *time.Time
	RevokedAt *time.Time
	CreatedAt time.Time
}

func (refreshTokenV1) TableName() string { return "refresh_tokens" }

type loginFailureV1 struct {
	Key         string `gorm:"primaryKey;size:300"`
	Count       int    `gorm:"not null"`
	FirstAt     time.Time
	LockedUntil time.Time
}

func (loginFailureV1) TableName() string { return "login_failures" }

// Schema is the auth tables, for store.Migrate.
var Schema = store.Component{
	Name: "auth",
	Migrations: []store.Migration{{
		Version: 1, Name: "users, refresh tokens, login failures",
		Up: func(tx *gorm.DB) error {
			return tx.Migrator().CreateTable(&userV1{}, &refreshTokenV1{}, &loginFailureV1{})
		},
	}, {
		Version: 2, Name: "users' session versions, to end sessions before their tokens expire",
		Up: func(tx *gorm.DB) error {
			return tx.Exec("ALTER TABLE users ADD COLUMN session_version INTEGER NOT NULL DEFAULT 0").Error
		},
	}},
}
