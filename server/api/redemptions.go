package api

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/aidledger/aidledger/server/apierr"
	"github.com/aidledger/aidledger/server/auth"
	"github.com/aidledger/aidledger/server/redeem"
)

// ownVendor lets a vendor user act only on its own vendor; other roles pass.
func ownVendor(c echo.Context, vendorID string) error {
	if cl := claimsOf(c); cl != nil && cl.Role == auth.Vendor && cl.VendorID != vendorID {
		return apierr.ErrNotFound
	}
	return nil
}

// vendorScope is the vendor a vendor user is limited to; "" for staff.
func vendorScope(c echo.Context) string {
	if cl := claimsOf(c); cl != nil && cl.Role == auth.Vendor {
		return cl.VendorID
	}
	return ""
}

func timeParam(c echo.Context, name string) (time.Time, error) {
	v := c.QueryParam(name)
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	if t, err := time.Parse("2006-01-02", v); err == nil {
		return t, nil
	}
	return time.Time{}, apierr.Invalid(name, "must be an RFC 3339 time or a YYYY-MM-DD date")
}

// timeRange reads ?from=&to= (either may be absent: an open end).
func timeRange(c echo.Context) (from, to time.Time, err error) {
	if from, err = timeParam(c, "from"); err != nil {
		return
	}
	to, err = timeParam(c, "to")
	return
}

// GET /api/v1/cards/:card
func (s *Server) getCard(c echo.Context) error {
	info, err := s.deps.Redeem.Card(c.Request().Context(), c.Param("card"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, info)
}

type balancesResponse struct {
	Balances []redeem.Balance `json:"balances"`
}

// POST /api/v1/cards/:card/balance
func (s *Server) cardBalance(c echo.Context) error {
	var req pinRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	bs, err := s.deps.Redeem.Balances(c.Request().Context(), vendorScope(c), c.Param("card"), req.PIN)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, balancesResponse{Balances: bs})
}

// POST /api/v1/redemptions: 201 when the chain confirmed within a few seconds, 202 while pending.
// With "Prefer: respond-async" (RFC 7240) it answers 202 as soon as the redemption is durably
// accepted, for clients that follow the confirmation themselves (GET, the SSE stream, the chain).
func (s *Server) redeem(c echo.Context) error {
	var req redeem.Request
	if err := bind(c, &req); err != nil {
		return err
	}
	cl := claimsOf(c)
	ctx, key := c.Request().Context(), c.Request().Header.Get("Idempotency-Key")
	var r redeem.Redemption
	var err error
	if prefersAsync(c.Request().Header) {
		c.Response().Header().Set("Preference-Applied", "respond-async")
		r, err = s.deps.Redeem.RedeemWait(ctx, cl.VendorID, key, req, 0)
	} else {
		r, err = s.deps.Redeem.Redeem(ctx, cl.VendorID, key, req)
	}
	if err != nil {
		return err
	}
	return createdOrPending(c, r.Status, r)
}

// createdOrPending answers 201 with what the chain confirmed, 202 with what it has not yet.
func createdOrPending(c echo.Context, status string, body any) error {
	if status == redeem.StatusPending {
		return c.JSON(http.StatusAccepted, body)
	}
	return c.JSON(http.StatusCreated, body)
}

// GET /api/v1/redemptions/:id
func (s *Server) getRedemption(c echo.Context) error {
	r, err := s.deps.Redeem.Get(c.Request().Context(), c.Param("id"), vendorScope(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

// GET /api/v1/redemptions?from=&to=&page=&page_size=
func (s *Server) listRedemptions(c echo.Context) error {
	f := redeem.Filter{VendorID: vendorScope(c)}
	var err error
	if f.From, f.To, err = timeRange(c); err != nil {
		return err
	}
	if f.Page, f.PageSize, err = pageParams(c); err != nil {
		return err
	}
	if v := c.QueryParam("vendor_id"); v != "" && f.VendorID == "" {
		f.VendorID = v
	}
	p, err := s.deps.Redeem.List(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

// GET /api/v1/beneficiaries/:id/redemptions?page=&page_size=&from=&to=: what one beneficiary
// bought, where and when, with the balance left after each, for the staff who answer "my balance
// is lower than it should be". The page is a view of the record and is not audited again: the
// beneficiary's own page, which asks for it, is (beneficiary.view).
func (s *Server) beneficiaryRedemptions(c echo.Context) error {
	ctx := c.Request().Context()
	if _, err := s.deps.Enroll.Get(ctx, c.Param("id")); err != nil {
		return err
	}
	f := redeem.Filter{BeneficiaryID: c.Param("id")}
	var err error
	if f.From, f.To, err = timeRange(c); err != nil {
		return err
	}
	if f.Page, f.PageSize, err = pageParams(c); err != nil {
		return err
	}
	p, err := s.deps.Redeem.List(ctx, f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

// POST /api/v1/redemptions/:id/refunds: 201 when the chain confirmed it within a few seconds,
// 202 while pending.
func (s *Server) refund(c echo.Context) error {
	var req redeem.RefundRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	r, err := s.deps.Redeem.Refund(c.Request().Context(), actor(c), vendorScope(c), c.Param("id"), c.Request().Header.Get("Idempotency-Key"), req)
	if err != nil {
		return err
	}
	return createdOrPending(c, r.Status, r)
}

type refundsResponse struct {
	Refunds []redeem.RefundView `json:"refunds"`
}

// GET /api/v1/redemptions/:id/refunds
func (s *Server) listRefunds(c echo.Context) error {
	rs, err := s.deps.Redeem.Refunds(c.Request().Context(), c.Param("id"), vendorScope(c))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, refundsResponse{Refunds: rs})
}

// POST /api/v1/settlements
func (s *Server) settle(c echo.Context) error {
	var req redeem.SettleRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	st, err := s.deps.Redeem.Settle(c.Request().Context(), actor(c), req)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, st)
}

// POST /api/v1/settlements/:id/reversals: 201 once confirmed, 202 while pending.
func (s *Server) reverseSettlement(c echo.Context) error {
	var req redeem.ReversalRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	st, err := s.deps.Redeem.ReverseSettlement(c.Request().Context(), actor(c), c.Param("id"), req)
	if err != nil {
		return err
	}
	return createdOrPending(c, st.Status, st)
}

// GET /api/v1/vendors/:id/statement?from=&to=&format=csv
func (s *Server) statement(c echo.Context) error {
	id := c.Param("id")
	if err := ownVendor(c, id); err != nil {
		return err
	}
	from, to, err := timeRange(c)
	if err != nil {
		return err
	}
	st, err := s.deps.Redeem.Statement(c.Request().Context(), id, from, to)
	if err != nil {
		return err
	}
	if c.QueryParam("format") == "csv" {
		startCSV(c, "statement.csv")
		return redeem.WriteStatementCSV(c.Response(), st)
	}
	return c.JSON(http.StatusOK, st)
}

// GET /api/v1/admin/reconciliation
func (s *Server) reconciliation(c echo.Context) error {
	rep, err := s.deps.Reconciler.Check(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, rep)
}

func asTooLarge(err error) (*apierr.Error, bool) {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return apierr.ErrTooLarge, true
	}
	return nil, false
}

// prefersAsync reports whether a Prefer header (RFC 7240) asks for respond-async.
func prefersAsync(h http.Header) bool {
	for _, v := range h.Values("Prefer") {
		for _, p := range strings.Split(v, ",") {
			if name, _, _ := strings.Cut(strings.TrimSpace(p), ";"); strings.EqualFold(strings.TrimSpace(name), "respond-async") {
				return true
			}
		}
	}
	return false
}
