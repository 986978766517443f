package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/aidledger/aidledger/server/app"
	"github.com/aidledger/aidledger/server/audit"
	"github.com/aidledger/aidledger/server/auth"
	"github.com/aidledger/aidledger/server/store"
)

// userCmd manages accounts straight in the database: the first admin, and the way back in for
// an admin who forgot their password. A running server sees a change within auth.ReloadEvery.
func userCmd() *cobra.Command {
	user := &cobra.Command{Use: "user", Short: "Manage users (works with or without a running server, and with --db)"}
	user.AddCommand(userCreateCmd(), userStatusCmd(true), userStatusCmd(false), userPasswordCmd())
	return user
}

// withAuth opens the database named by cfg for one command, and records what it did in the
// audit log as done from the command line.
func withAuth(ctx context.Context, cfg app.Config, action string, fn func(*auth.Service) (subject string, err error)) error {
	db, err := app.OpenDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer store.Close(db)
	subject, err := fn(auth.New(db, nil, auth.Config{}))
	if err != nil {
		return err
	}
	return audit.New(db).Record(ctx, audit.Event{Actor: audit.CommandLine, Action: action, Subject: subject})
}

func userCreateCmd() *cobra.Command {
	var cfg app.Config
	var in auth.NewUser
	var role string
	create := &cobra.Command{
		Use:   "create",
		Short: "Create a user, e.g. the first admin",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withAuth(cmd.Context(), cfg, "user.create", func(a *auth.Service) (string, error) {
				in.Role = auth.Role(role)
				u, err := a.CreateUser(cmd.Context(), in)
				if err != nil {
					return "", err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "created %s user %s (id %s)\n", u.Role, u.Email, u.ID)
				return u.ID, nil
			})
		},
	}
	addCommonFlags(create, &cfg)
	f := create.Flags()
	f.StringVar(&in.Email, "email", "", "the user's email (login)")
	f.StringVar(&in.Password, "password", "", "at least 10 characters (or AIDLEDGER_PASSWORD)")
	f.StringVar(&role, "role", "", "admin, aidworker, vendor or donor")
	f.StringVar(&in.VendorID, "vendor-id", "", "for a vendor user: the vendor it belongs to")
	for _, n := range []string{"email", "password", "role"} {
		_ = create.MarkFlagRequired(n)
	}
	return create
}

// userStatusCmd is "user disable" or "user enable".
func userStatusCmd(disable bool) *cobra.Command {
	var cfg app.Config
	var email string
	use, short := "enable", "Enable a disabled user"
	if disable {
		use, short = "disable", "Disable a user and end their sessions"
	}
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withAuth(cmd.Context(), cfg, "user."+use, func(a *auth.Service) (string, error) {
				u, err := a.UserByEmail(cmd.Context(), email)
				if err != nil {
					return "", err
				}
				if _, err := a.SetDisabled(cmd.Context(), "", u.ID, disable); err != nil {
					return "", err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%sd user %s (id %s)\n", use, u.Email, u.ID)
				return u.ID, nil
			})
		},
	}
	addCommonFlags(cmd, &cfg)
	cmd.Flags().StringVar(&email, "email", "", "the user's email (login)")
	_ = cmd.MarkFlagRequired("email")
	return cmd
}

func userPasswordCmd() *cobra.Command {
	var cfg app.Config
	var email, password string
	cmd := &cobra.Command{
		Use:   "password",
		Short: "Set a user's password and end their sessions",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return withAuth(cmd.Context(), cfg, "user.password_set", func(a *auth.Service) (string, error) {
				u, err := a.UserByEmail(cmd.Context(), email)
				if err != nil {
					return "", err
				}
				if err := a.SetPassword(cmd.Context(), "", u.ID, password); err != nil {
					return "", err
				}
				fmt.Fprintf(cmd.OutOrStdout(), "set the password of user %s (id %s)\n", u.Email, u.ID)
				return u.ID, nil
			})
		},
	}
	addCommonFlags(cmd, &cfg)
	f := cmd.Flags()
	f.StringVar(&email, "email", "", "the user's email (login)")
	f.StringVar(&password, "password", "", "at least 10 characters (or AIDLEDGER_PASSWORD)")
	for _, n := range []string{"email", "password"} {
		_ = cmd.MarkFlagRequired(n)
	}
	return cmd
}
