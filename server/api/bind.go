package api

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/aidledger/aidledger/server/apierr"
)

// bind decodes a JSON body into v strictly: the content type must be JSON, unknown fields are
// refused, and every error names what is wrong (the byte offset of a syntax error, the field of a
// type mismatch) without echoing the client's data back.
func bind(c echo.Context, v any) error {
	mt, _, err := mime.ParseMediaType(c.Request().Header.Get(echo.HeaderContentType))
	if err != nil || mt != echo.MIMEApplicationJSON {
		return apierr.ErrUnsupportedMedia
	}
	dec := json.NewDecoder(c.Request().Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if dec.More() {
		return apierr.ErrInvalidJSON.Withf("the body holds more than one JSON value")
	}
	if _, err := dec.Token(); err != io.EOF {
		return apierr.ErrInvalidJSON.Withf("unexpected data after the JSON value")
	}
	return nil
}

func decodeError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return apierr.ErrTooLarge
	case errors.Is(err, io.EOF):
		return apierr.ErrInvalidJSON.Withf("the body is empty")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apierr.ErrInvalidJSON.Withf("the body ends in the middle of a JSON value")
	case errors.As(err, &syn):
		return apierr.ErrInvalidJSON.Withf("invalid JSON at byte %d", syn.Offset)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			return apierr.ErrInvalidJSON.Withf("the body must be a JSON object")
		}
		return apierr.Invalid(field, "must be %s", jsonKind(typ.Type.Kind().String()))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		e := apierr.Invalid(name, "unknown field")
		e.Code = "unknown_field"
		return e
	default:
		return apierr.ErrInvalidJSON.Withf("the body is not valid JSON")
	}
}

func jsonKind(goKind string) string {
	switch {
	case strings.HasPrefix(goKind, "int"), strings.HasPrefix(goKind, "uint"):
		return "an integer"
	case strings.HasPrefix(goKind, "float"):
		return "a number"
	case goKind == "string":
		return "a string"
	case goKind == "bool":
		return "true or false"
	case goKind == "slice":
		return "an array"
	default:
		return "an object"
	}
}
