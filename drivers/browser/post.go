package browser

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"strings"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/oppwa-conformance/oppwa-conformance/drivers/oppwa"
)

// formContentType is the Content-Type of the redirect's POST: an HTML form's.
const formContentType = "application/x-www-form-urlencoded"

// openPost sends the tab's top frame to u with a POST of params, form-encoded
// in their order as an HTML form would send them. It is a navigation the
// browser starts (Page.navigate), turned into the POST at its request stage by
// the Fetch domain, as the address bar of a new tab would open it: it carries
// no Origin, Referer or cookie of whatever page the tab shows (about:blank, or
// the last session's page a reset tab kept, see tab.reset), and needs no page
// of ours to submit a form from. It returns once the navigation committed or
// ended.
func (f *flow) openPost(u string, params oppwa.Params) error {
	ctx, stop := context.WithCancel(f.ctx)
	defer stop()
	paused := chromedp.Events(ctx, fetch.RequestPaused)
	// Every document request is paused while the domain is on: the first one of
	// the top frame is the navigation below; any other (a redirect's next hop)
	// goes on unchanged.
	enable := fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: "*", ResourceType: network.ResourceTypeDocument}}}
	if _, err := chromedp.Call(f.ctx, fetch.Enable, enable); err != nil {
		return protocolError(err, "browser: open redirect POST %s", u)
	}
	turned := make(chan struct{})
	loop := make(chan error, 1)
	go func() { loop <- f.continuePaused(ctx, paused, formBody(params), turned) }()
	// Once the request went out, the reply's errorText is not checked: a failed
	// load shows the browser's error page, which the flow reports as a form's
	// failed POST; and a POST answered straight back to the shop's return URL
	// with 204 aborts the navigation (net::ERR_ABORTED), which the flow sees as
	// the arrival.
	nav, err := chromedp.Call(f.ctx, page.Navigate, page.NavigateParams{URL: u})
	_, derr := chromedp.Call(f.ctx, fetch.Disable, cdp.Empty{})
	if derr != nil {
		// A tab that still pauses every document request would hang its next
		// session's navigations: it is disposed of, not reset.
		f.s.t.dirty.Store(true)
	}
	stop()
	lerr := <-loop
	select {
	case <-turned:
	default:
		switch {
		case err != nil: // the browser refused the URL, or the flow ended
		case nav.ErrorText != "":
			err = &chromedp.LoadError{ErrorText: nav.ErrorText} // a URL it would not request
		case lerr != nil:
			err = fmt.Errorf("%w: %w", errNotTurned, lerr)
		default:
			err = errNotTurned
		}
	}
	if err == nil {
		err = derr
	}
	if err != nil {
		return protocolError(err, "browser: open redirect POST %s", u)
	}
	return nil
}

// submitForm submits a form POST of params to u from the blank page that hosts
// the preconditions' iframes, as the merchant's page does once they loaded. A
// navigation the browser starts would stop the loads of that page, iframes
// included: a 3-D Secure method page that posts its notification on load lost
// it (the ACS then refused the challenge) in 2 of 6 runs of the realistic pages'
// 3-D Secure specs, and in none of 8 with the form.
func (f *flow) submitForm(u string, params oppwa.Params) error {
	return f.fromHostPage(u, "postForm", u, params)
}

// fromHostPage opens the redirect u from the page hosting the preconditions'
// iframes (page.js is installed there already), calling page.js's fn with args.
func (f *flow) fromHostPage(u, fn string, args ...any) error {
	if _, err := callPage[any](f.ctx, f.s.b.lib, fn, args...); err != nil {
		return protocolError(err, "browser: open redirect %s", u)
	}
	return nil
}

// errNotTurned says the navigation went out without being turned into the POST.
var errNotTurned = errors.New("its request was not paused to be turned into the POST")

// continuePaused continues every paused request until ctx ends: the top
// frame's first one as the POST of body (then it closes turned), and each hop a
// 307 or 308 redirect makes of it with the same body, as a form's POST keeps it;
// every other unchanged.
func (f *flow) continuePaused(ctx context.Context, paused iter.Seq2[fetch.EventRequestPaused, error], body []byte, turned chan<- struct{}) error {
	ours := map[fetch.RequestID]bool{} // the POST and its hops so far
	for ev, err := range paused {
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		p := fetch.ContinueRequestParams{RequestID: ev.RequestID}
		first := len(ours) == 0 && string(ev.FrameID) == string(f.s.t.id) && ev.RedirectedRequestID == ""
		hop := ours[ev.RedirectedRequestID] && ev.Request != nil && ev.Request.Method == "POST"
		if first || hop {
			p.Method, p.PostData, p.Headers = "POST", body, postHeaders(ev.Request)
			ours[ev.RequestID] = true
		}
		if _, err := chromedp.Call(ctx, fetch.ContinueRequest, p); err != nil && ctx.Err() == nil {
			return err
		}
		if first {
			close(turned)
		}
	}
	return nil
}

// postHeaders are the request's own headers and the form's Content-Type.
func postHeaders(r *network.Request) []*fetch.HeaderEntry {
	var hs []*fetch.HeaderEntry
	if r != nil {
		for name, v := range r.Headers {
			if !strings.EqualFold(name, "Content-Type") {
				hs = append(hs, &fetch.HeaderEntry{Name: name, Value: fmt.Sprint(v)})
			}
		}
	}
	return append(hs, &fetch.HeaderEntry{Name: "Content-Type", Value: formContentType})
}

// formBody encodes params as an HTML form's POST body does, in their order
// (the HTML standard's application/x-www-form-urlencoded serializer): line
// breaks become CRLF, a space "+", every byte but ASCII letters, digits and
// "*-._" a %XX escape of its UTF-8.
func formBody(params oppwa.Params) []byte {
	parts := make([]string, 0, len(params))
	for _, p := range params {
		parts = append(parts, formEscape(p.Name)+"="+formEscape(p.Value))
	}
	return []byte(strings.Join(parts, "&"))
}

// crlf normalizes line breaks as a form's entry list does.
var crlf = strings.NewReplacer("\r\n", "\r\n", "\r", "\r\n", "\n", "\r\n")

// formQuirks are the two bytes where the form's serializer and url.QueryEscape
// differ: the form keeps "*" and escapes "~".
var formQuirks = strings.NewReplacer("%2A", "*", "~", "%7E")

func formEscape(s string) string {
	return formQuirks.Replace(url.QueryEscape(crlf.Replace(s)))
}
