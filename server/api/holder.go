package api

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

type holderRequest struct {
	CardNumber string `json:"card_number"`
	PIN        string `json:"pin"`
}

// POST /api/v1/holder/balance: a card's holder checks their balance and latest purchases with
// the card number and PIN, from any phone, without an account. Guarded per client address.
func (s *Server) holderBalance(c echo.Context) error {
	var req holderRequest
	if err := bind(c, &req); err != nil {
		return err
	}
	v, err := s.deps.Redeem.Holder(c.Request().Context(), c.RealIP(), req.CardNumber, req.PIN)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}
