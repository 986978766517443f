package api

import (
	"context"
	"io/fs"
	"net/http"

	"github.com/aidledger/aidledger/server/audit"
	"github.com/aidledger/aidledger/server/auth"
	"github.com/aidledger/aidledger/server/backup"
	"github.com/aidledger/aidledger/server/enroll"
	"github.com/aidledger/aidledger/server/programs"
	"github.com/aidledger/aidledger/server/redeem"
	"github.com/aidledger/aidledger/server/report"
)

// Services are the domain services behind the routes.
type Services struct {
	// VendorExists checks a vendor id when a vendor user is created.
	VendorExists func(ctx context.Context, id string) error
	Enroll       *enroll.Service
	Programs     *programs.Service
	Redeem       *redeem.Service
	Reconciler   *redeem.Reconciler
	Reports      *report.Service
	// Indexed subscribes to "new chain events indexed up to block N" (the report stream).
	Indexed func() (<-chan uint64, func())
	// PublicRPC is a JSON-RPC URL of the chain that donors may use to verify.
	PublicRPC string
	// Web is the browser apps' files (web.FS()); nil serves the API alone.
	Web fs.FS
	// Backups writes archives of the running system; nil: no backup routes.
	Backups *backup.Service
}

var (
	public        []auth.Role = nil
	anyone                    = []auth.Role{auth.Admin, auth.AidWorker, auth.Vendor, auth.Donor}
	admins                    = []auth.Role{auth.Admin}
	staff                     = []auth.Role{auth.Admin, auth.AidWorker}
	vendorsOnly               = []auth.Role{auth.Vendor}
	vendorOrAdmin             = []auth.Role{auth.Admin, auth.Vendor}
	ledgerView                = []auth.Role{auth.Admin, auth.Donor}
	vendorViewers             = []auth.Role{auth.Admin, auth.AidWorker, auth.Donor}
)

// table is THE route table: every route, who may call it, and its documented shapes. A route
// not in this table does not exist; TestRouteTable walks every registered route with every role.
func (s *Server) table() []Route {
	rs := []Route{
		{Method: http.MethodGet, Path: "/healthz", Roles: public, Summary: "the process is up", Response: healthResponse{}, Status: 200, Handler: s.healthz},
		{Method: http.MethodGet, Path: "/readyz", Roles: public, Summary: "database and chain reachable", Response: healthResponse{}, Status: 200, Handler: s.readyz},
		{Method: http.MethodGet, Path: "/metrics", Roles: public, Summary: "Prometheus metrics", Status: 200, Handler: s.metrics},
		{Method: http.MethodGet, Path: "/api/v1/openapi.json", Roles: public, Summary: "this API's OpenAPI document", Status: 200, Handler: s.openAPI},

		{Method: http.MethodPost, Path: "/api/v1/auth/login", Roles: public, Summary: "log in", Request: loginRequest{}, Response: auth.Session{}, Status: 200, Secret: true, Handler: s.login},
		{Method: http.MethodPost, Path: "/api/v1/auth/refresh", Roles: public, Summary: "exchange a refresh token (rotates it)", Request: refreshRequest{}, Response: auth.Session{}, Status: 200, Secret: true, Handler: s.refresh},
		{Method: http.MethodPost, Path: "/api/v1/auth/logout", Roles: public, Summary: "revoke a refresh token", Request: refreshRequest{}, Status: 204, Handler: s.logout},
		{Method: http.MethodGet, Path: "/api/v1/me", Roles: anyone, Summary: "the logged-in user", Response: auth.UserView{}, Status: 200, Handler: s.me},
		{Method: http.MethodPost, Path: "/api/v1/users", Roles: admins, Summary: "create a user", Request: auth.NewUser{}, Response: auth.UserView{}, Status: 201, Audit: "user.create", Handler: s.createUser},
		{Method: http.MethodGet, Path: "/api/v1/users", Roles: admins, Summary: "list users", Response: userList{}, Status: 200, Handler: s.listUsers},
		{Method: http.MethodPost, Path: "/api/v1/users/:id/disable", Roles: admins, Summary: "disable a user (ends their sessions at once; not your own)", Response: auth.UserView{}, Status: 200, Audit: "user.disable", Handler: s.setUserDisabled(true)},
		{Method: http.MethodPost, Path: "/api/v1/users/:id/enable", Roles: admins, Summary: "enable a disabled user", Response: auth.UserView{}, Status: 200, Audit: "user.enable", Handler: s.setUserDisabled(false)},
		{Method: http.MethodPost, Path: "/api/v1/users/:id/password", Roles: admins, Summary: "set a user's password (ends their sessions; your own: POST /api/v1/me/password)", Request: passwordRequest{}, Status: 204, Audit: "user.password_set", Handler: s.setUserPassword},
		{Method: http.MethodPost, Path: "/api/v1/me/password", Roles: anyone, Summary: "change your password (ends your other sessions; returns a new one)", Request: changePasswordRequest{}, Response: auth.Session{}, Status: 200, Secret: true, Audit: "user.password_change", Handler: s.changePassword},
	}
	if s.deps.Programs != nil {
		rs = append(rs, []Route{
			{Method: http.MethodPost, Path: "/api/v1/programs", Roles: admins, Summary: "create a program (on chain)", Request: programs.ProgramRequest{}, Response: programs.Program{}, Status: 201, Audit: "program.create", Handler: s.createProgram},
			{Method: http.MethodGet, Path: "/api/v1/programs", Roles: anyone, Summary: "list programs with their on-chain totals", Response: programList{}, Status: 200, Handler: s.listPrograms},
			{Method: http.MethodGet, Path: "/api/v1/programs/:id", Roles: anyone, Summary: "a program with its on-chain totals", Response: programs.Program{}, Status: 200, Handler: s.getProgram},
			{Method: http.MethodPatch, Path: "/api/v1/programs/:id", Roles: admins, Summary: "correct a program's name (its currency and decimals stay: they fix what the amounts on chain mean)", Request: programs.ProgramPatch{}, Response: programs.Program{}, Status: 200, Audit: "program.rename", Handler: s.renameProgram},
			{Method: http.MethodPost, Path: "/api/v1/programs/:id/close", Roles: admins, Summary: "close a program to allocations and redemptions", Response: programs.Program{}, Status: 200, Audit: "program.close", Handler: s.setProgramActive(false)},
			{Method: http.MethodPost, Path: "/api/v1/programs/:id/reopen", Roles: admins, Summary: "reopen a closed program", Response: programs.Program{}, Status: 200, Audit: "program.reopen", Handler: s.setProgramActive(true)},
			{Method: http.MethodPost, Path: "/api/v1/programs/:id/fundings", Roles: admins, Summary: "record a donor's funding (on chain)", Request: programs.FundRequest{}, Response: programs.Funding{}, Status: 201, Audit: "program.fund", Handler: s.fundProgram},
			{Method: http.MethodGet, Path: "/api/v1/programs/:id/fundings", Roles: ledgerView, Summary: "a program's fundings", Response: fundingList{}, Status: 200, Handler: s.listFundings},
			{Method: http.MethodPost, Path: "/api/v1/programs/:id/allocations", Roles: staff, Summary: "allocate a cycle's entitlements (a background job): to beneficiary_ids, or all_active (at one location, with location; of one CSV import, with import_id)", Request: programs.AllocationRequest{}, Response: programs.Job{}, Status: 202, Audit: "program.allocate", Handler: s.startAllocation},
			{Method: http.MethodGet, Path: "/api/v1/programs/:id/allocations/:job", Roles: staff, Summary: "an allocation job's progress", Response: programs.Job{}, Status: 200, Handler: s.getAllocation},
			{Method: http.MethodPost, Path: "/api/v1/vendors", Roles: admins, Summary: "approve a new vendor (on chain)", Request: programs.VendorRequest{}, Response: programs.Vendor{}, Status: 201, Audit: "vendor.create", Handler: s.createVendor},
			{Method: http.MethodGet, Path: "/api/v1/vendors", Roles: vendorViewers, Summary: "list vendors", Response: vendorList{}, Status: 200, Handler: s.listVendors},
			{Method: http.MethodGet, Path: "/api/v1/vendors/:id", Roles: vendorOrAdmin, Summary: "a vendor (a vendor user: its own)", Response: programs.Vendor{}, Status: 200, Handler: s.getVendor},
			{Method: http.MethodPatch, Path: "/api/v1/vendors/:id", Roles: admins, Summary: "correct a vendor's name, location or categories (off chain: the chain knows its address only)", Request: programs.VendorPatch{}, Response: programs.Vendor{}, Status: 200, Audit: "vendor.update", Handler: s.updateVendor},
			{Method: http.MethodPost, Path: "/api/v1/vendors/:id/suspend", Roles: admins, Summary: "suspend a vendor (revoked on chain)", Response: programs.Vendor{}, Status: 200, Audit: "vendor.suspend", Handler: s.setVendorStatus(true)},
			{Method: http.MethodPost, Path: "/api/v1/vendors/:id/reinstate", Roles: admins, Summary: "reinstate a vendor (approved on chain)", Response: programs.Vendor{}, Status: 200, Audit: "vendor.reinstate", Handler: s.setVendorStatus(false)},
		}...)
	}
	if s.deps.Enroll != nil {
		rs = append(rs, []Route{
			{Method: http.MethodPost, Path: "/api/v1/beneficiaries", Roles: staff, Summary: "enroll a beneficiary", Request: enroll.Input{}, Response: enroll.Beneficiary{}, Status: 201, Audit: "beneficiary.enroll", Handler: s.enroll},
			{Method: http.MethodGet, Path: "/api/v1/beneficiaries", Roles: staff, Summary: "search (exact card number, national id, phone or full name) and list, newest first: ?page= (with a total) or ?after= (a previous page's next_after: a cursor, no total)", Response: beneficiaryList{}, Status: 200, Handler: s.listBeneficiaries},
			{Method: http.MethodGet, Path: "/api/v1/beneficiaries/:id", Roles: staff, Summary: "a beneficiary with balances per program", Response: beneficiaryDetail{}, Status: 200, Audit: "beneficiary.view", Handler: s.getBeneficiary},
			{Method: http.MethodPatch, Path: "/api/v1/beneficiaries/:id", Roles: staff, Summary: "correct a beneficiary's data", Request: enroll.Patch{}, Response: enroll.Beneficiary{}, Status: 200, Audit: "beneficiary.update", Handler: s.updateBeneficiary},
			{Method: http.MethodPost, Path: "/api/v1/beneficiaries/:id/suspend", Roles: staff, Summary: "suspend (also on chain)", Response: enroll.Beneficiary{}, Status: 200, Audit: "beneficiary.suspend", Handler: s.setBeneficiaryStatus(true)},
			{Method: http.MethodPost, Path: "/api/v1/beneficiaries/:id/reinstate", Roles: staff, Summary: "reinstate (also on chain)", Response: enroll.Beneficiary{}, Status: 200, Audit: "beneficiary.reinstate", Handler: s.setBeneficiaryStatus(false)},
			{Method: http.MethodPost, Path: "/api/v1/beneficiaries/:id/pin", Roles: staff, Summary: "reset the PIN (unlocks the card)", Request: pinRequest{}, Status: 204, Audit: "beneficiary.pin_reset", Handler: s.resetPIN},
			{Method: http.MethodDelete, Path: "/api/v1/beneficiaries/:id/personal-data", Roles: staff, Summary: "erase personal data (the pseudonymous ledger history stays)", Response: enroll.Beneficiary{}, Status: 200, Audit: "beneficiary.erase", Handler: s.erasePersonalData},
			{Method: http.MethodGet, Path: "/api/v1/beneficiaries/:id/card", Roles: staff, Summary: "printable card (PNG) with the card number's QR code", Status: 200, Uncompressed: true, Audit: "beneficiary.card", Handler: s.beneficiaryCard},
			{Method: http.MethodPost, Path: "/api/v1/beneficiaries/:id/card", Roles: staff, Summary: "replace a lost or stolen card: a new card number, the old one stops working at once (balance, PIN and history stay)", Response: enroll.Beneficiary{}, Status: 200, Audit: "beneficiary.card_replace", Handler: s.replaceCard},
			{Method: http.MethodPost, Path: "/api/v1/beneficiaries/imports", Roles: staff, Summary: "import a CSV, plain or gzipped (multipart field file)", Response: enroll.Import{}, Status: 202, BodyLimit: "256M", Audit: "beneficiary.import", Handler: s.startImport},
			{Method: http.MethodPost, Path: "/api/v1/beneficiaries/imports/:id/stop", Roles: staff, Summary: "stop a running import (of the wrong file, say): the rows committed stay enrolled, the rest is not read; 409 import_finished if it has ended", Response: enroll.Import{}, Status: 200, Audit: "beneficiary.import_stop", Handler: s.stopImport},
			{Method: http.MethodGet, Path: "/api/v1/beneficiaries/imports", Roles: staff, Summary: "the latest imports, newest first (without their row errors)", Response: importList{}, Status: 200, Handler: s.listImports},
			{Method: http.MethodGet, Path: "/api/v1/beneficiaries/imports/:id/cards", Roles: staff, Summary: "the cards an import enrolled, in the file's order, to print them in batches (?after= a page's next, or ?from= a card's place from 1; ?limit=)", Response: enroll.CardPage{}, Status: 200, Handler: s.importCards},
			{Method: http.MethodGet, Path: "/api/v1/beneficiaries/imports/:id", Roles: staff, Summary: "an import's progress and row errors", Response: enroll.Import{}, Status: 200, Handler: s.getImport},
			{Method: http.MethodGet, Path: "/api/v1/beneficiaries/locations", Roles: staff, Summary: "locations of active beneficiaries with their counts, largest first (what an allocation's location can aim at)", Response: locationList{}, Status: 200, Handler: s.beneficiaryLocations},
		}...)
	}
	if s.deps.Redeem != nil {
		rs = append(rs, []Route{
			{Method: http.MethodGet, Path: "/api/v1/cards/:card", Roles: vendorsOnly, Summary: "a card's status, programs and holder's initials", Response: redeem.CardInfo{}, Status: 200, Handler: s.getCard},
			{Method: http.MethodPost, Path: "/api/v1/holder/balance", Roles: public, Secret: true, Summary: "a card's holder checks its balance and latest purchases with the card number and PIN (no account; an unknown card and a wrong PIN both answer 422 wrong_card_or_pin; 429 too_many_attempts after 20 wrong from one address within 15 minutes)", Request: holderRequest{}, Response: redeem.HolderView{}, Status: 200, Handler: s.holderBalance},
			{Method: http.MethodPost, Path: "/api/v1/cards/:card/balance", Roles: vendorsOnly, Summary: "balances per program (PIN required)", Request: pinRequest{}, Response: balancesResponse{}, Status: 200, Handler: s.cardBalance},
			{Method: http.MethodPost, Path: "/api/v1/redemptions", Roles: vendorsOnly, OwnIdempotency: true, Summary: "redeem (Idempotency-Key required); 201 confirmed, 202 pending (at once with Prefer: respond-async)", Request: redeem.Request{}, Response: redeem.Redemption{}, Status: 201, Handler: s.redeem},
			{Method: http.MethodGet, Path: "/api/v1/redemptions", Roles: vendorOrAdmin, Summary: "redemptions, newest first (a vendor: its own)", Response: redeem.Page{}, Status: 200, Handler: s.listRedemptions},
			{Method: http.MethodGet, Path: "/api/v1/redemptions/:id", Roles: vendorOrAdmin, Summary: "one redemption (a vendor: its own)", Response: redeem.Redemption{}, Status: 200, Handler: s.getRedemption},
			{Method: http.MethodPost, Path: "/api/v1/redemptions/:id/refunds", Roles: vendorOrAdmin, OwnIdempotency: true, Summary: "give all or part of a confirmed redemption back to its card (Idempotency-Key required; a vendor: its own sales); 201 confirmed, 202 pending", Request: redeem.RefundRequest{}, Response: redeem.RefundView{}, Status: 201, Audit: "redemption.refund", Handler: s.refund},
			{Method: http.MethodGet, Path: "/api/v1/redemptions/:id/refunds", Roles: vendorOrAdmin, Summary: "a redemption's refunds, oldest first (a vendor: its own)", Response: refundsResponse{}, Status: 200, Handler: s.listRefunds},
			{Method: http.MethodPost, Path: "/api/v1/settlements/:id/reversals", Roles: admins, Summary: "take back all or part of a confirmed settlement recorded by mistake or paid back (on chain); the shop is owed it again", Request: redeem.ReversalRequest{}, Response: redeem.Settlement{}, Status: 201, Audit: "settlement.reverse", Handler: s.reverseSettlement},
			{Method: http.MethodPost, Path: "/api/v1/settlements", Roles: admins, Summary: "record a payment to a vendor (on chain)", Request: redeem.SettleRequest{}, Response: redeem.Settlement{}, Status: 201, Audit: "settlement.create", Handler: s.settle},
			{Method: http.MethodGet, Path: "/api/v1/vendors/:id/statement", Roles: vendorOrAdmin, Summary: "a vendor's redeemed, settled and unsettled (?format=csv)", Response: redeem.Statement{}, Status: 200, Handler: s.statement},
		}...)
		if s.deps.Enroll != nil {
			rs = append(rs, Route{Method: http.MethodGet, Path: "/api/v1/beneficiaries/:id/redemptions", Roles: staff, Summary: "what a beneficiary bought, newest first, with the balance left after each (?page=, ?from=, ?to=)", Response: redeem.Page{}, Status: 200, Handler: s.beneficiaryRedemptions})
		}
	}
	if s.deps.Reports != nil {
		rs = append(rs, []Route{
			{Method: http.MethodGet, Path: "/api/v1/reports/summary", Roles: public, Summary: "per program: funded, allocated, redeemed, settled, expired, outstanding (from chain events)", Response: summaryResponse{}, Status: 200, Handler: s.reportSummary},
			{Method: http.MethodGet, Path: "/api/v1/reports/programs/:id", Roles: public, Summary: "a program's redemptions grouped by vendor, category, location, day or week (?format=csv)", Response: report.Report{}, Status: 200, Handler: s.programReport},
			{Method: http.MethodGet, Path: "/api/v1/reports/transactions", Roles: ledgerView, Summary: "on-chain events with their transactions, newest first: ?page= or ?after= (a previous page's next_after, the chain position block-log of its last row); format=csv: all of them in one file", Response: report.TransactionPage{}, Status: 200, Handler: s.reportTransactions},
			{Method: http.MethodGet, Path: "/api/v1/reports/stream", Roles: public, Summary: "server-sent events: new chain events indexed", Status: 200, Uncompressed: true, Handler: s.reportStream},
		}...)
	}
	if s.deps.Audit != nil {
		if s.deps.Enroll != nil {
			rs = append(rs, Route{Method: http.MethodGet, Path: "/api/v1/beneficiaries/:id/history", Roles: staff, Summary: "who did what to this beneficiary's record, newest first (?after=, ?limit=)", Response: history{}, Status: 200, Handler: s.beneficiaryHistory})
		}
		rs = append(rs, Route{Method: http.MethodGet, Path: "/api/v1/admin/audit", Roles: admins, Summary: "who did what to which record, newest first: ?actor=, ?subject=, ?action=, ?after= (a previous page's next_after), ?limit=; format=csv: all of them in one file", Response: audit.Page{}, Status: 200, Handler: s.listAudit})
	}
	rs = append(rs, s.webRoutes()...)
	if s.deps.Backups != nil {
		rs = append(rs, []Route{
			{Method: http.MethodPost, Path: "/api/v1/admin/backups", Roles: admins, Summary: "write a backup of the running system (chain, database, keys, secrets) into the backup directory, in the background; 409 backup_running while one is written", Response: backup.Info{}, Status: 202, Audit: "backup.create", Handler: s.startBackup},
			{Method: http.MethodGet, Path: "/api/v1/admin/backups", Roles: admins, Summary: "the backups in the backup directory, newest first, and the one being written", Response: backup.List{}, Status: 200, Handler: s.listBackups},
		}...)
	}
	if s.deps.Reconciler != nil {
		rs = append(rs, Route{Method: http.MethodGet, Path: "/api/v1/admin/reconciliation", Roles: admins, Summary: "confirmed redemptions against chain events", Response: redeem.Reconciliation{}, Status: 200, Handler: s.reconciliation})
	}
	return rs
}
