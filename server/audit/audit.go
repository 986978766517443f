// Package audit is the record of what staff did: who enrolled, corrected, viewed, suspended or
// erased a beneficiary, reset a PIN, printed a card, created or disabled an account, funded a
// program or recorded a payout, and when. It names people by user id and records by id: no
// personal data, so erasing a beneficiary's data leaves their history intact and harmless.
package audit

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"gorm.io/gorm"

	"github.com/aidledger/aidledger/server/apierr"
	"github.com/aidledger/aidledger/server/store"
)

// CommandLine is the actor of changes made with the aidledger command, on the server's machine.
const CommandLine = "cli"

// Server is the actor of what the server does by itself, e.g. pausing a shop's PIN checks.
const Server = "server"

// Event is one action.
type Event struct {
	ID      string    `json:"id"` // time-ordered (UUIDv7): the list's cursor
	At      time.Time `json:"at"`
	Actor   string    `json:"actor"`  // a user id, or "cli"
	Action  string    `json:"action"` // e.g. beneficiary.update
	Subject string    `json:"subject,omitempty"`
	Detail  string    `json:"detail,omitempty"` // never personal data: e.g. the names of the fields changed
}

type eventRow struct {
	ID      string    `gorm:"primaryKey;size:36"`
	At      time.Time `gorm:"not null"`
	Actor   string    `gorm:"size:36;not null;index"`
	Action  string    `gorm:"size:40;not null"`
	Subject string    `gorm:"size:64;index"`
	Detail  string    `gorm:"size:500"`
}

func (eventRow) TableName() string { return "audit_events" }

// eventV1 is the table as migration 1 created it; later changes come as new migrations.
type eventV1 struct {
	ID      string    `gorm:"primaryKey;size:36"`
	At      time.Time `gorm:"not null"`
	Actor   string    `gorm:"size:36;not null;index"`
	Action  string    `gorm:"size:40;not null"`
	Subject string    `gorm:"size:64;index"`
	Detail  string    `gorm:"size:500"`
}

func (eventV1) TableName() string { return "audit_events" }

// Schema is the audit table, for store.Migrate.
var Schema = store.Component{
	Name: "audit",
	Migrations: []store.Migration{{
		Version: 1, Name: "audit events",
		Up: func(tx *gorm.DB) error { return tx.Migrator().CreateTable(&eventV1{}) },
	}},
}

// Log records and lists events.
type Log struct{ db *gorm.DB }

// New makes a log over db.
func New(db *gorm.DB) *Log { return &Log{db: db} }

// Record stores one event; its ID and time are set here.
func (l *Log) Record(ctx context.Context, e Event) error {
	return l.RecordAll(ctx, []Event{e})
}

// RecordAll stores events in one statement (a search that found several records records each),
// in their order; their IDs and times are set here.
func (l *Log) RecordAll(ctx context.Context, events []Event) error {
	if len(events) == 0 {
		return nil
	}
	at := time.Now().UTC()
	rows := make([]eventRow, len(events))
	for i, e := range events {
		rows[i] = eventRow{ID: uuid.Must(uuid.NewV7()).String(), At: at, Actor: e.Actor, Action: e.Action,
			Subject: e.Subject, Detail: truncate(e.Detail, 500)}
	}
	if err := l.db.WithContext(ctx).CreateInBatches(&rows, 200).Error; err != nil {
		return fmt.Errorf("record %d× %s by %s: %w", len(events), events[0].Action, events[0].Actor, err)
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// Filter narrows a listing; empty fields match everything. After is a previous page's
// NextAfter.
type Filter struct {
	Actor, Subject, Action string
	After                  string
	Limit                  int // default 100, at most 500
}

// Page is a page of events, newest first.
type Page struct {
	Events    []Event `json:"events"`
	NextAfter string  `json:"next_after,omitempty"` // the cursor of the next page, when this one is full
}

// List returns events newest first.
func (l *Log) List(ctx context.Context, f Filter) (Page, error) {
	if f.Limit == 0 {
		f.Limit = 100
	}
	if f.Limit < 1 || f.Limit > 500 {
		return Page{}, apierr.Invalid("limit", "must be from 1 to 500")
	}
	q := l.db.WithContext(ctx).Model(&eventRow{}).Order("id DESC").Limit(f.Limit)
	if f.After != "" {
		if _, err := uuid.Parse(f.After); err != nil {
			return Page{}, apierr.Invalid("after", "must be the next_after of a previous page")
		}
		q = q.Where("id < ?", f.After)
	}
	for col, v := range map[string]string{"actor": f.Actor, "subject": f.Subject, "action": f.Action} {
		if v != "" {
			q = q.Where(col+" = ?", v)
		}
	}
	var rows []eventRow
	if err := q.Find(&rows).Error; err != nil {
		return Page{}, fmt.Errorf("list audit events: %w", err)
	}
	out := Page{Events: make([]Event, len(rows))}
	for i, r := range rows {
		out.Events[i] = Event{ID: r.ID, At: r.At, Actor: r.Actor, Action: r.Action, Subject: r.Subject, Detail: r.Detail}
	}
	if len(rows) == f.Limit {
		out.NextAfter = rows[len(rows)-1].ID
	}
	return out, nil
}
