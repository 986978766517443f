package api

import (
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
)

// The OpenAPI document is generated from the route table and the very Go types the handlers
// decode and encode, so it cannot drift from the code; TestOpenAPI checks it against the routes
// Echo actually serves.

var (
	openAPIOnce sync.Once
	openAPIDoc  map[string]any
)

// GET /api/v1/openapi.json
func (s *Server) openAPI(c echo.Context) error {
	openAPIOnce.Do(func() { openAPIDoc = s.OpenAPI() })
	return c.JSON(http.StatusOK, openAPIDoc)
}

var pathParam = regexp.MustCompile(`:([a-z_]+)`)

// OpenAPI builds the document.
func (s *Server) OpenAPI() map[string]any {
	paths := map[string]any{}
	for _, r := range s.routes {
		p := pathParam.ReplaceAllString(r.Path, "{$1}")
		ops, _ := paths[p].(map[string]any)
		if ops == nil {
			ops = map[string]any{}
			paths[p] = ops
		}
		op := map[string]any{"summary": r.Summary, "responses": responses(r)}
		if r.Roles != nil {
			roles := make([]string, len(r.Roles))
			for i, role := range r.Roles {
				roles[i] = string(role)
			}
			op["security"] = []any{map[string]any{"bearer": []string{}}}
			op["x-roles"] = roles
		}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(r.Path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		if r.Method == http.MethodPost {
			params = append(params, map[string]any{"name": "Idempotency-Key", "in": "header", "required": r.OwnIdempotency,
				"schema":      map[string]any{"type": "string", "maxLength": 200},
				"description": "a retry with the same key and body returns the first response instead of doing the work twice"})
		}
		if params != nil {
			op["parameters"] = params
		}
		if r.Request != nil {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"application/json": map[string]any{"schema": schemaOf(reflect.TypeOf(r.Request))}}}
		}
		ops[strings.ToLower(r.Method)] = op
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{"title": "aidledger API", "version": "1",
			"description": "Voucher-based humanitarian aid on a private Ethereum chain. Amounts are integer minor units; ids are strings; times RFC 3339."},
		"paths": paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
			"schemas": map[string]any{"Error": map[string]any{"type": "object", "properties": map[string]any{
				"error": map[string]any{"type": "object", "properties": map[string]any{
					"code": map[string]any{"type": "string"}, "message": map[string]any{"type": "string"},
					"field": map[string]any{"type": "string"}, "details": map[string]any{"type": "object"}},
					"required": []string{"code", "message"}}}}},
		},
	}
}

func responses(r Route) map[string]any {
	ok := map[string]any{"description": http.StatusText(r.Status)}
	if r.Response != nil {
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": schemaOf(reflect.TypeOf(r.Response))}}
	}
	errRef := map[string]any{"description": "error", "content": map[string]any{
		"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}
	out := map[string]any{strconv.Itoa(r.Status): ok, "default": errRef}
	return out
}

var timeType = reflect.TypeOf(time.Time{})

// schemaOf describes a Go type as an OpenAPI schema, following encoding/json's rules.
func schemaOf(t reflect.Type) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == timeType {
		return map[string]any{"type": "string", "format": "date-time"}
	}
	switch t.Kind() {
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return map[string]any{"type": "string", "format": "byte"}
		}
		return map[string]any{"type": "array", "items": schemaOf(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": schemaOf(t.Elem())}
	case reflect.Interface:
		return map[string]any{}
	case reflect.Struct:
		props := map[string]any{}
		addFields(t, props)
		return map[string]any{"type": "object", "properties": props}
	}
	return map[string]any{}
}

func addFields(t reflect.Type, props map[string]any) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name := strings.Split(tag, ",")[0]
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				addFields(ft, props)
				continue
			}
		}
		if name == "" {
			name = f.Name
		}
		props[name] = schemaOf(f.Type)
	}
}
