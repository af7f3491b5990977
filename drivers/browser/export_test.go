package browser

import "github.com/chromedp/cdproto/target"

// TabID is the target id of the session's tab, for tests that prove a reset
// tab was reused.
func TabID(s *Session) target.ID { return s.t.id }

// FreshContexts makes every session of a browser started with o open a new
// browser context, never a reset or pre-warmed tab.
func FreshContexts(o Options) Options {
	o.freshContexts = true
	o.Prewarm = -1
	return o
}

// Kept reports whether the session's tab starts from the page the last
// session ended on (see tab.reset), for tests that prove that path was taken.
func Kept(s *Session) bool { return s.t.kept }

// FormBody is the body of the redirect's POST for params.
var FormBody = formBody
