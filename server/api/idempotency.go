package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/apierr"
	"github.com/aidledger/aidledger/server/store"
)

// IdempotencyRecord is a POST's first response, replayed to retries with the same key. The key
// is scoped to the caller, so two users cannot collide or read each other's responses.
type IdempotencyRecord struct {
	Scope       string `gorm:"primaryKey;size:80"`
	Key         string `gorm:"primaryKey;size:200"`
	Route       string `gorm:"size:200;not null"`
	RequestHash string `gorm:"size:64;not null"`
	Status      int    `gorm:"not null"` // 0 while the first request is still being served
	Body        []byte
	CreatedAt   time.Time `gorm:"index"`
}

func (IdempotencyRecord) TableName() string { return "idempotency_keys" }

// Frozen copies of the models as migration 1 created them: later changes to the live models
// must come as new migrations, never by editing these.
type idempotencyRecordV1 struct {
	Scope       string `gorm:"primaryKey;size:80"`
	Key         string `gorm:"primaryKey;size:200"`
	Route       string `gorm:"size:200;not null"`
	RequestHash string `gorm:"size:64;not null"`
	Status      int    `gorm:"not null"` // 0 while the first request is still being served
	Body        []byte
	CreatedAt   time.Time `gorm:"index"`
}

func (idempotencyRecordV1) TableName() string { return "idempotency_keys" }

// Schema is the API's own table.
var Schema = store.Component{
	Name: "api",
	Migrations: []store.Migration{{
		Version: 1, Name: "idempotency keys",
		Up: func(tx *gorm.DB) error { return tx.Migrator().CreateTable(&idempotencyRecordV1{}) },
	}},
}

var (
	errIdempotencyConflict = apierr.New(http.StatusConflict, "idempotency_conflict",
		"this Idempotency-Key was used with a different request")
	errIdempotencyInFlight = apierr.New(http.StatusConflict, "idempotency_in_progress",
		"a request with this Idempotency-Key is still being served; retry shortly")
)

// idempotent makes a POST with an Idempotency-Key header happen once: the key is claimed
// (unique row) before the handler runs, and the response is stored after it; a retry with the
// same body gets the stored response, a retry with another body 409 idempotency_conflict. Server
// errors release the key so the client can retry for real.
func (s *Server) idempotent(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		key := c.Request().Header.Get("Idempotency-Key")
		if key == "" {
			return next(c)
		}
		if len(key) > 200 {
			return apierr.Invalid("Idempotency-Key", "at most 200 characters")
		}
		body, err := io.ReadAll(c.Request().Body)
		if err != nil {
			return decodeError(err)
		}
		c.Request().Body = io.NopCloser(bytes.NewReader(body))
		sum := sha256.Sum256(append([]byte(c.Request().Method+" "+c.Request().URL.RequestURI()+"\n"), body...))
		rec := IdempotencyRecord{Scope: actor(c), Key: key, Route: c.Path(), RequestHash: hex.EncodeToString(sum[:])}
		db := s.deps.DB.WithContext(c.Request().Context())
		if err := db.Create(&rec).Error; err != nil {
			if !errors.Is(err, gorm.ErrDuplicatedKey) {
				return err
			}
			var prev IdempotencyRecord
			if err := db.First(&prev, "scope = ? AND key = ?", rec.Scope, key).Error; err != nil {
				return err
			}
			switch {
			case prev.RequestHash != rec.RequestHash:
				return errIdempotencyConflict
			case prev.Status == 0:
				return errIdempotencyInFlight
			}
			c.Response().Header().Set("Idempotent-Replayed", "true")
			return c.Blob(prev.Status, echo.MIMEApplicationJSONCharsetUTF8, prev.Body)
		}
		rw := &recorder{ResponseWriter: c.Response().Writer}
		c.Response().Writer = rw
		herr := next(c)
		if herr != nil {
			s.handleError(herr, c)
		}
		status := c.Response().Status
		// Detach from the request: the client may have gone, the record must still be written.
		ctx, cancel := context.WithTimeout(context.WithoutCancel(c.Request().Context()), 10*time.Second)
		defer cancel()
		db = s.deps.DB.WithContext(ctx)
		if status >= 500 {
			err = db.Where("scope = ? AND key = ?", rec.Scope, key).Delete(&IdempotencyRecord{}).Error
		} else {
			err = db.Model(&IdempotencyRecord{}).Where("scope = ? AND key = ?", rec.Scope, key).
				Updates(map[string]any{"status": status, "body": rw.buf.Bytes()}).Error
		}
		if err != nil {
			s.log.Error("record idempotent response", "err", err)
		}
		return nil
	}
}

type recorder struct {
	http.ResponseWriter
	buf bytes.Buffer
}

func (r *recorder) Write(b []byte) (int, error) {
	r.buf.Write(b)
	return r.ResponseWriter.Write(b)
}
