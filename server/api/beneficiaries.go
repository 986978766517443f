package api

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/aidledger/aidledger/server/apierr"
	"github.com/aidledger/aidledger/server/audit"
	"github.com/aidledger/aidledger/server/enroll"
	"github.com/aidledger/aidledger/server/redeem"
)

type beneficiaryList struct {
	Beneficiaries []enroll.Beneficiary `json:"beneficiaries"`
	Total         int64                `json:"total"`
	Page          int                  `json:"page"`
	PageSize      int                  `json:"page_size"`
	NextAfter     string               `json:"next_after,omitempty"` // ?after= of the next page, when this one is full
}

type beneficiaryDetail struct {
	enroll.Beneficiary
	Balances []redeem.Balance `json:"balances"`
}

type pinRequest struct {
	PIN string `json:"pin"`
}

// pageParams reads ?page=&page_size= (zero when absent: the service's defaults apply).
func pageParams(c echo.Context) (page, size int, err error) {
	if page, err = intParam(c, "page"); err != nil {
		return 0, 0, err
	}
	size, err = intParam(c, "page_size")
	return page, size, err
}

func intParam(c echo.Context, name string) (int, error) {
	v := c.QueryParam(name)
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, apierr.Invalid(name, "must be a non-negative integer")
	}
	return n, nil
}

// POST /api/v1/beneficiaries
func (s *Server) enroll(c echo.Context) error {
	var in enroll.Input
	if err := bind(c, &in); err != nil {
		return err
	}
	b, err := s.deps.Enroll.Enroll(c.Request().Context(), in)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusCreated, b)
}

// GET /api/v1/beneficiaries?q=&page=&page_size= or ?q=&after=&page_size= (by cursor: the
// next_after of the previous page; no total)
func (s *Server) listBeneficiaries(c echo.Context) error {
	page, size, err := pageParams(c)
	if err != nil {
		return err
	}
	ctx, q := c.Request().Context(), c.QueryParam("q")
	var p enroll.Page
	if after := c.QueryParam("after"); after != "" {
		if page != 0 {
			return apierr.Invalid("page", "cannot be combined with after")
		}
		p, err = s.deps.Enroll.ListAfter(ctx, q, after, size)
	} else {
		p, err = s.deps.Enroll.List(ctx, q, page, size)
	}
	if err != nil {
		return err
	}
	s.record(c, listingAudit(actor(c), q, p.Items)...)
	return c.JSON(http.StatusOK, beneficiaryList{Beneficiaries: p.Items, Total: p.Total, Page: p.Page, PageSize: p.PageSize, NextAfter: p.NextAfter})
}

// listingAudit is what the audit log keeps of a list of beneficiaries shown to staff, whose
// names and phones it carries. A search records each record it found, so that record's history
// says who looked it up; a page of the registry without a search is one entry, so a registry
// read page by page shows as such. The search text is personal data (a name, a phone number)
// and is not kept; a search that found nobody showed nobody's data and is not recorded.
func listingAudit(who, q string, found []enroll.Beneficiary) []audit.Event {
	if q == "" {
		if len(found) == 0 {
			return nil
		}
		return []audit.Event{{Actor: who, Action: "beneficiary.list", Subject: who, Detail: fmt.Sprintf("%d records", len(found))}}
	}
	events := make([]audit.Event, len(found))
	for i, b := range found {
		events[i] = audit.Event{Actor: who, Action: "beneficiary.search", Subject: b.ID, Detail: fmt.Sprintf("one of %d found", len(found))}
	}
	return events
}

// GET /api/v1/beneficiaries/:id (with balances per program)
func (s *Server) getBeneficiary(c echo.Context) error {
	ctx := c.Request().Context()
	b, err := s.deps.Enroll.Get(ctx, c.Param("id"))
	if err != nil {
		return err
	}
	bal, err := s.deps.Redeem.BalancesOf(ctx, b.ID)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, beneficiaryDetail{Beneficiary: b, Balances: bal})
}

// PATCH /api/v1/beneficiaries/:id
func (s *Server) updateBeneficiary(c echo.Context) error {
	var p enroll.Patch
	if err := bind(c, &p); err != nil {
		return err
	}
	b, err := s.deps.Enroll.Update(c.Request().Context(), c.Param("id"), p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, b)
}

// POST /api/v1/beneficiaries/:id/suspend and /reinstate
func (s *Server) setBeneficiaryStatus(suspend bool) echo.HandlerFunc {
	return func(c echo.Context) error {
		var b enroll.Beneficiary
		var err error
		if suspend {
			b, err = s.deps.Enroll.Suspend(c.Request().Context(), c.Param("id"))
		} else {
			b, err = s.deps.Enroll.Reinstate(c.Request().Context(), c.Param("id"))
		}
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, b)
	}
}

// POST /api/v1/beneficiaries/:id/pin
func (s *Server) resetPIN(c echo.Context) error {
	var req pinRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	if err := s.deps.Enroll.ResetPIN(c.Request().Context(), c.Param("id"), req.PIN); err != nil {
		return err
	}
	return c.NoContent(http.StatusNoContent)
}

// DELETE /api/v1/beneficiaries/:id/personal-data
func (s *Server) erasePersonalData(c echo.Context) error {
	b, err := s.deps.Enroll.ErasePersonalData(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, b)
}

// GET /api/v1/beneficiaries/:id/card
func (s *Server) beneficiaryCard(c echo.Context) error {
	png, err := s.deps.Enroll.CardPNG(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	c.Response().Header().Set("Content-Disposition", `inline; filename="card.png"`)
	return c.Blob(http.StatusOK, "image/png", png)
}

type locationList struct {
	Locations []enroll.LocationCount `json:"locations"`
}

// GET /api/v1/beneficiaries/locations
func (s *Server) beneficiaryLocations(c echo.Context) error {
	ls, err := s.deps.Enroll.Locations(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, locationList{Locations: ls})
}

// POST /api/v1/beneficiaries/:id/card: a new card number for a lost or stolen card.
func (s *Server) replaceCard(c echo.Context) error {
	b, err := s.deps.Enroll.ReplaceCard(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, b)
}

// POST /api/v1/beneficiaries/imports (multipart, field "file")
func (s *Server) startImport(c echo.Context) error {
	fh, err := c.FormFile("file")
	if err != nil {
		if apierr, ok := asTooLarge(err); ok {
			return apierr
		}
		return apierr.Invalid("file", "send the CSV as multipart/form-data in a field named file")
	}
	f, err := fh.Open()
	if err != nil {
		return err
	}
	defer f.Close()
	job, err := s.deps.Enroll.StartImport(c.Request().Context(), actor(c), f)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusAccepted, job)
}

// GET /api/v1/beneficiaries/imports/:id
// POST /api/v1/beneficiaries/imports/:id/stop
func (s *Server) stopImport(c echo.Context) error {
	im, err := s.deps.Enroll.StopImport(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, im)
}

type importList struct {
	Imports []enroll.Import `json:"imports"`
}

// GET /api/v1/beneficiaries/imports: the latest imports, newest first.
func (s *Server) listImports(c echo.Context) error {
	ims, err := s.deps.Enroll.ListImports(c.Request().Context())
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, importList{Imports: ims})
}

// GET /api/v1/beneficiaries/imports/:id/cards?after=|from=&limit=: the cards an import enrolled,
// in the file's order, to print them in batches; from (1-based) takes up at that card. Each
// card image fetched to print is audited.
func (s *Server) importCards(c echo.Context) error {
	limit, err := intParam(c, "limit")
	if err != nil {
		return err
	}
	from, err := intParam(c, "from")
	if err != nil {
		return err
	}
	after := c.QueryParam("after")
	if from != 0 && after != "" {
		return apierr.Invalid("from", "cannot be combined with after")
	}
	skip := 0
	if c.QueryParam("from") != "" {
		if from < 1 {
			return apierr.Invalid("from", "must be 1 or more")
		}
		skip = from - 1
	}
	p, err := s.deps.Enroll.ImportCards(c.Request().Context(), c.Param("id"), after, skip, limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, p)
}

func (s *Server) getImport(c echo.Context) error {
	job, err := s.deps.Enroll.GetImport(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, job)
}
