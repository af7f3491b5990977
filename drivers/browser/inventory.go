package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
)

// Inventory describes a page the shopper could not go on from, for a user who adds
// its page script: its forms, fields and controls, and a draft script.
type Inventory struct {
	URL   string `json:"url"`
	Title string `json:"title"`
	Forms []struct {
		Action   string `json:"action"`
		Method   string `json:"method"`
		Selector string `json:"selector"`
	} `json:"forms"`
	// Inputs are the page's fields. Value is the current value of a field that holds
	// nothing secret; empty for hidden, password and card-like fields.
	Inputs []struct {
		Name     string `json:"name"`
		Type     string `json:"type"`
		Required bool   `json:"required"`
		Value    string `json:"value"`
		Selector string `json:"selector"`
	} `json:"inputs"`
	// Controls are the visible buttons, links and clickable elements: their text
	// and a CSS selector that finds each.
	Controls []struct {
		Text     string `json:"text"`
		Selector string `json:"selector"`
	} `json:"controls"`
	// Draft is a page scripts file (JSON) with one script for this page and the
	// flow's action: it matches the page and fills and clicks what a shopper would.
	Draft string `json:"-"`

	Steps []fixtures.PageStep `json:"steps"`
	Match string              `json:"match"`
}

// inventory describes the current page, with a draft script for the flow's
// action; nil when the page cannot tell. The draft of a page whose script failed
// takes that script's name, so that, saved, it replaces it.
func (f *flow) inventory(ctx context.Context, pe *PageError) *Inventory {
	inv, err := callPage[*Inventory](ctx, f.s.b.lib, "inventory")
	if err != nil || inv == nil {
		return nil
	}
	inv.Draft = draftScript(inv, string(f.action), pe.Script)
	return inv
}

// draftScript is a page scripts file for the page inv describes: it matches the
// page's path and the control it clicks (else its first form), and for action takes
// the steps page.js proposed.
func draftScript(inv *Inventory, action, name string) string {
	if name == "" {
		name = "draft-" + slug(inv.URL)
	}
	s := fixtures.PageScript{
		Name:    name,
		Source:  "drafted by the conformance suite from " + inv.URL + ": check the steps against the page",
		Step:    "bank",
		Actions: map[string][]fixtures.PageStep{action: inv.Steps},
	}
	if u, err := url.Parse(inv.URL); err == nil && u.Path != "" && u.Path != "/" {
		s.Match.URL = regexp.QuoteMeta(u.Path)
	}
	s.Match.Selector = inv.Match
	if s.Match == (fixtures.PageMatch{}) {
		s.Match.Title = "^" + regexp.QuoteMeta(inv.Title) + "$"
	}
	if len(inv.Steps) == 0 {
		s.Note = "no control found: add the steps that move this page on"
		s.Actions = nil
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // selectors read "body > div", not "body \u003e div"
	enc.SetIndent("", "  ")
	if err := enc.Encode(fixtures.PageScripts{Scripts: []fixtures.PageScript{s}}); err != nil {
		return fmt.Sprintf("draft not available: %v", err)
	}
	return b.String()
}

// slug is a script name made from a URL's host and path.
func slug(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "page"
	}
	s := strings.Trim(regexp.MustCompile(`[^a-z0-9]+`).ReplaceAllString(strings.ToLower(u.Hostname()+u.Path), "-"), "-")
	if len(s) > 40 {
		s = s[len(s)-40:]
	}
	return strings.Trim(s, "-")
}
