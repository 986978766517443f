package api

import (
	"context"
	"net/http"

	"github.com/aidledger/aidledger/server/auth"
)

// Services are the domain services behind the routes.
type Services struct {
	// VendorExists checks a vendor id when a vendor user is created.
	VendorExists func(ctx context.Context, id string) error
}

var (
	public      []auth.Role = nil
	anyone                  = []auth.Role{auth.Admin, auth.AidWorker, auth.Vendor, auth.Donor}
	admins                  = []auth.Role{auth.Admin}
	staff                   = []auth.Role{auth.Admin, auth.AidWorker}
	vendorsOnly             = []auth.Role{auth.Vendor}
	ledgerView              = []auth.Role{auth.Admin, auth.Donor}
)

// table is THE route table: every route, who may call it, and its documented shapes. A route
// not in this table does not exist; TestRouteTable walks every registered route with every role.
func (s *Server) table() []Route {
	rs := []Route{
		{Method: http.MethodGet, Path: "/healthz", Roles: public, Summary: "the process is up", Response: healthResponse{}, Status: 200, Handler: s.healthz},
		{Method: http.MethodGet, Path: "/readyz", Roles: public, Summary: "database and chain reachable", Response: healthResponse{}, Status: 200, Handler: s.readyz},
		{Method: http.MethodGet, Path: "/metrics", Roles: public, Summary: "Prometheus metrics", Status: 200, Handler: s.metrics},
		{Method: http.MethodGet, Path: "/api/v1/openapi.json", Roles: public, Summary: "this API's OpenAPI document", Status: 200, Handler: s.openAPI},

		{Method: http.MethodPost, Path: "/api/v1/auth/login", Roles: public, Summary: "log in", Request: loginRequest{}, Response: auth.Session{}, Status: 200, Handler: s.login},
		{Method: http.MethodPost, Path: "/api/v1/auth/refresh", Roles: public, Summary: "exchange a refresh token (rotates it)", Request: refreshRequest{}, Response: auth.Session{}, Status: 200, Handler: s.refresh},
		{Method: http.MethodPost, Path: "/api/v1/auth/logout", Roles: public, Summary: "revoke a refresh token", Request: refreshRequest{}, Status: 204, Handler: s.logout},
		{Method: http.MethodGet, Path: "/api/v1/me", Roles: anyone, Summary: "the logged-in user", Response: auth.UserView{}, Status: 200, Handler: s.me},
		{Method: http.MethodPost, Path: "/api/v1/users", Roles: admins, Summary: "create a user", Request: auth.NewUser{}, Response: auth.UserView{}, Status: 201, Handler: s.createUser},
		{Method: http.MethodGet, Path: "/api/v1/users", Roles: admins, Summary: "list users", Response: userList{}, Status: 200, Handler: s.listUsers},
	}
	return rs
}
