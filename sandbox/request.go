package sandbox

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
)

// Reading an API request: its parameters (routes.go reads them before the handler)
// and its credentials.

// readParams reads a request's parameters: the platform reads POST parameters from the
// body only (parameters in the URL of a POST are ignored, so such a request fails
// validation) and GET and DELETE parameters from the query string.
func (s *Sandbox) readParams(w http.ResponseWriter, r *http.Request) (params, bool) {
	if r.Method == http.MethodPost {
		return s.readBody(w, r)
	}
	return parseForm(r.URL.RawQuery), true
}

// readBody reads a form body within the cap. Bodies that are not form-encoded (JSON,
// multipart) carry no parameters the platform would read.
func (s *Sandbox) readBody(w http.ResponseWriter, r *http.Request) (params, bool) {
	if r.ContentLength > s.opts.MaxBodyBytes {
		s.writeJSON(w, http.StatusRequestEntityTooLarge, s.errorBody("", codeStructure, nil))
		return params{}, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes))
	if err != nil {
		status := http.StatusBadRequest
		if _, tooBig := errors.AsType[*http.MaxBytesError](err); tooBig {
			status = http.StatusRequestEntityTooLarge
		}
		s.writeJSON(w, status, s.errorBody("", codeStructure, nil))
		return params{}, false
	}
	ct := strings.ToLower(r.Header.Get("Content-Type"))
	if strings.HasPrefix(ct, "application/json") || strings.HasPrefix(ct, "multipart/") {
		return parseForm(""), true
	}
	return parseForm(string(body)), true
}

// authenticate checks the Bearer token and that it owns the entity. A missing token
// is 401, an unknown one 403 (both 800.900.300), a token used with an entity it does
// not own 403 800.900.301, a missing entity a parameter error. The older
// authentication.userId/password login, dropped by the providers in 2020, is refused
// as missing credentials with a parameter error that names the access token.
func (s *Sandbox) authenticate(w http.ResponseWriter, r *http.Request, p params) (string, bool) {
	header := r.Header.Get("Authorization")
	token, ok := bearer(header)
	if !ok {
		a := authRefusal{NoCredentials: header == "", Status: http.StatusUnauthorized, Code: codeAuth}
		if header == "" && (p.has("authentication.userId") || p.has("authentication.password")) {
			a.NoCredentials = false
			a.ParamErrors = []paramError{{Name: "authentication.userId", Message: msgLegacyLogin}}
		}
		s.refuseCredentials(w, a)
		return "", false
	}
	owned, known := s.tokens[token]
	check := tokenCheck{Known: known}
	fire(s, &check)
	if !check.Known {
		s.refuseCredentials(w, authRefusal{Status: http.StatusForbidden, Code: codeAuth})
		return "", false
	}
	entity, perr := entityOf(p)
	if perr != nil {
		s.writeJSON(w, http.StatusBadRequest, s.errorBody("", codeParam, []paramError{*perr}))
		return "", false
	}
	if !check.AnyEntity && !owned[entity] {
		s.refuseCredentials(w, authRefusal{Entity: entity, Status: http.StatusForbidden, Code: codeNoRights})
		return "", false
	}
	return entity, true
}

// entityOf reads the entity of a request: entityId, or authentication.entityId as
// older integrations and a widely used open-source library send it (their remote
// tests passed against the real test system with it, real-platform.md §4). Both may
// be sent when they agree.
func entityOf(p params) (string, *paramError) {
	const legacy = "authentication.entityId"
	entity, alias := p.get("entityId"), p.get(legacy)
	switch {
	case entity != "" && alias != "" && alias != entity:
		return "", &paramError{Name: legacy, Value: alias, Message: msgEntityDiffers}
	case entity == "" && alias != "":
		if !validEntity(alias) {
			return "", &paramError{Name: legacy, Value: alias, Message: msgEntity}
		}
		return alias, nil
	case entity == "" && p.has(legacy):
		return "", &paramError{Name: legacy, Message: msgEmpty}
	case entity == "":
		return "", &paramError{Name: "entityId", Message: msgEmpty}
	case !validEntity(entity):
		return "", &paramError{Name: "entityId", Value: entity, Message: msgEntity}
	}
	return entity, nil
}

// refuseCredentials answers a request refused for its credentials, after the
// authRefusal hook point.
func (s *Sandbox) refuseCredentials(w http.ResponseWriter, a authRefusal) {
	fire(s, &a)
	s.writeJSON(w, a.Status, s.errorReply(fixtures.ReplyAuthError, a.Entity, a.Code, a.ParamErrors))
}

func bearer(h string) (string, bool) {
	const pre = "bearer "
	if len(h) <= len(pre) || !strings.EqualFold(h[:len(pre)], pre) {
		return "", false
	}
	t := strings.TrimSpace(h[len(pre):])
	return t, t != ""
}
