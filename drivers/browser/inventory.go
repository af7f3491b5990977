package browser

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
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

	// Actions and Match are page.js's proposal for the draft: steps per action, and
	// a selector of the page.
	Actions map[string][]fixtures.PageStep `json:"actions"`
	Match   string                         `json:"match"`
}

// inventory describes the current page, with a draft script for the flow's
// action; nil when the page cannot tell. The draft of a page whose script failed
// takes that script's name, so that, saved, it replaces it.
func (f *flow) inventory(ctx context.Context, pe *PageError) *Inventory {
	inv, err := callPage[*Inventory](ctx, f.s.b.lib, "inventory", f.actionWords())
	if err != nil || inv == nil {
		return nil
	}
	var known *fixtures.PageScript
	for i, sc := range f.s.b.scripts.Scripts {
		if sc.Name == pe.Script {
			known = &f.s.b.scripts.Scripts[i]
		}
	}
	inv.Draft = draftScript(inv, string(f.action), known)
	return inv
}

// actionWords are, for page.js's inventory, the words of each action's control:
// the flow's action first, then the others; nil for those the fallback serves (its
// continue words). Actions with no words are left out.
func (f *flow) actionWords() orderedWords {
	fb := f.s.b.scripts.Fallback
	if fb == nil {
		return orderedWords{{string(f.action), nil}}
	}
	out := orderedWords{}
	for _, a := range append([]string{string(f.action)}, fixtures.ShopperActions...) {
		if slices.ContainsFunc(out, func(w actionWord) bool { return w.action == a }) {
			continue
		}
		switch words, ok := fb.ActionWords[a]; {
		case slices.Contains(fb.Actions, a):
			out = append(out, actionWord{a, nil})
		case ok:
			out = append(out, actionWord{a, words})
		}
	}
	return out
}

type actionWord struct {
	action string
	words  []string
}

// orderedWords encodes as a JSON object in its order (page.js tries the first
// action first).
type orderedWords []actionWord

// MarshalJSON writes {"action": words, ...} in order.
func (o orderedWords) MarshalJSON() ([]byte, error) {
	var b strings.Builder
	b.WriteString("{")
	for i, w := range o {
		k, _ := json.Marshal(w.action)
		v, err := json.Marshal(w.words)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			b.WriteString(",")
		}
		b.Write(k)
		b.WriteString(":")
		b.Write(v)
	}
	b.WriteString("}")
	return []byte(b.String()), nil
}

// draftScript is a page scripts file for the page inv describes: it matches the
// page's path and the control action clicks (else its first form), and takes the
// steps page.js proposed for action and for each other action whose steps differ
// from those already drafted (approve and challenge:Y share theirs). The draft for
// a page whose script known failed keeps that script's name, step, match and other
// actions, and replaces only the failing action's steps, so that, saved, it
// replaces the script without losing what it knew.
func draftScript(inv *Inventory, action string, known *fixtures.PageScript) string {
	if known != nil && len(known.Actions) > 0 {
		return draftFrom(inv, action, *known)
	}
	where, path := inv.URL, ""
	if u, err := url.Parse(inv.URL); err == nil {
		// Path parameters (;jsessionid=...) name a session, not the page.
		path = u.EscapedPath()
		where = u.Scheme + "://" + u.Host + regexp.MustCompile(`;[^/]*`).ReplaceAllString(path, "")
	}
	s := fixtures.PageScript{
		Name:    "draft-" + slug(where),
		Source:  "drafted by the conformance suite from " + where + ": check the steps against the page",
		Step:    "bank",
		Actions: map[string][]fixtures.PageStep{},
	}
	if known != nil {
		s.Name, s.Step = known.Name, known.Step
	}
	for _, a := range append([]string{action}, fixtures.ShopperActions...) {
		steps, ok := inv.Actions[a]
		if !ok || s.Actions[a] != nil || slices.ContainsFunc(slices.Collect(maps.Values(s.Actions)), func(o []fixtures.PageStep) bool { return slices.Equal(o, steps) }) {
			continue
		}
		s.Actions[a] = steps
	}
	if path != "" && path != "/" {
		s.Match.URL = pathPattern(path)
	}
	s.Match.Selector = inv.Match
	if s.Match == (fixtures.PageMatch{}) {
		s.Match.Title = "^" + regexp.QuoteMeta(inv.Title) + "$"
	}
	if _, ok := s.Actions[action]; !ok {
		s.Note = "no control found for " + action + ": add the steps that move this page on"
	}
	if len(s.Actions) == 0 {
		s.Actions = nil
	}
	return encodeDraft(s)
}

// draftFrom is the draft of known's page: known with the steps page.js proposed
// for action in place of its own.
func draftFrom(inv *Inventory, action string, known fixtures.PageScript) string {
	s := known
	s.File = ""
	s.Actions = maps.Clone(known.Actions)
	if steps, ok := inv.Actions[action]; ok {
		s.Actions[action] = steps
		s.Note = "the steps for " + action + " were drafted from the page: check them against it"
	} else {
		s.Note = "no control found for " + action + ": add the steps that move this page on"
	}
	return encodeDraft(s)
}

// encodeDraft writes s as a page scripts file.
func encodeDraft(s fixtures.PageScript) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false) // selectors read "body > div", not "body \u003e div"
	enc.SetIndent("", "  ")
	if err := enc.Encode(fixtures.PageScripts{Scripts: []fixtures.PageScript{s}}); err != nil {
		return fmt.Sprintf("draft not available: %v", err)
	}
	return b.String()
}

// idSegment is a path segment that names one payment or session (hex or digit
// runs, UUIDs, jsessionid parameters), not the page.
var idSegment = regexp.MustCompile(`^(?:[0-9a-fA-F-]{16,}|[0-9]{6,}|.*;jsessionid=.*)$`)

// pathPattern is a regular expression for path with its id segments left open, so
// the draft matches the page for every payment.
func pathPattern(path string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		if idSegment.MatchString(s) {
			segs[i] = "[^/]+"
		} else {
			segs[i] = regexp.QuoteMeta(s)
		}
	}
	return strings.Join(segs, "/")
}

// slug is a script name made from a URL's host and path, without id segments.
func slug(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "page"
	}
	var parts []string
	for _, s := range strings.Split(u.Path, "/") {
		if s != "" && !idSegment.MatchString(s) {
			parts = append(parts, s)
		}
	}
	s := regexp.MustCompile(`[^a-z0-9]+`).ReplaceAllString(strings.ToLower(u.Hostname()+"-"+strings.Join(parts, "-")), "-")
	return strings.Trim(s, "-")
}
