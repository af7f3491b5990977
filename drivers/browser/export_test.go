package browser

import "github.com/chromedp/cdproto/target"

// TabID is the target id of the session's tab, for tests that prove a reset
// tab was reused.
func TabID(s *Session) target.ID { return s.t.id }
