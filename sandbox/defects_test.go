package sandbox

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/oppwa-conformance/oppwa-conformance/sandbox/modes"

	"github.com/oppwa-conformance/oppwa-conformance/drivers/webhook"
)

var reTwoDecimals = regexp.MustCompile(`^[0-9]+\.[0-9]{2}$`)

// byNDC finds the stored payment a reply describes, whatever the reply shows as its
// id: the battery must keep going when a defect hides or mangles the id.
func byNDC(h *harness, ndc string) *payment {
	var found *payment
	h.srv.Sandbox.store.update(func(tx *txn) {
		for _, p := range tx.byID {
			if p.ndc == ndc {
				found = p
			}
		}
	})
	if found != nil {
		return found
	}
	h.t.Fatalf("no payment with ndc %s", ndc)
	return nil
}

func amountValue(s string) string {
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return "bad:" + s
	}
	return strconv.FormatFloat(f, 'f', 2, 64)
}

func yes(b bool) string { return strconv.FormatBool(b) }

// battery runs one request of every kind and records, per promise of the contract, what
// a conformance check would see. Later steps use the stored truth, not what a previous
// reply showed, so one broken promise does not cascade into the others.
func battery(t *testing.T, h *harness) map[string]string {
	o := map[string]string{}
	h.pa() // so "another payment" exists
	pa := h.pa()
	id := byNDC(h, pa.str("ndc")).id
	o["pa.http"] = strconv.Itoa(pa.status)
	o["pa.outcome"] = string(outcome(pa.code())) + "/redirect=" + yes(pa.get("redirect") != nil)
	o["pa.idPresent"] = yes(pa.get("id") != nil)
	observeFields(o, "pa", pa)
	o["pa.pan"] = yes(pa.get("card.number") != nil)
	o["pa.bin"] = pa.str("card.bin")

	st := h.status(id)
	o["status.sameID"] = yes(strings.EqualFold(st.str("id"), id))
	o["status.outcome"] = string(outcome(st.code()))
	observeFields(o, "status", st)

	cp := h.post("/v1/payments/"+id, "paymentType", "CP", "amount", "50.00", "currency", "EUR")
	cpID := byNDC(h, cp.str("ndc")).id
	o["cp.outcome"] = string(outcome(cp.code()))
	o["cp.newID"] = yes(!strings.EqualFold(cp.str("id"), id))
	observeFields(o, "cp", cp)
	o["cp.referencedId"] = yes(cp.str("referencedId") == id)

	rf := h.post("/v1/payments/"+cpID, "paymentType", "RF", "amount", "60.00", "currency", "EUR")
	o["rf.aboveVolume"] = string(outcome(rf.code())) + "/" + rf.code()

	pa2 := h.pa()
	id2 := byNDC(h, pa2.str("ndc")).id
	o["rv.outcome"] = string(outcome(h.post("/v1/payments/"+id2, "paymentType", "RV").code()))
	cpRV := h.post("/v1/payments/"+id2, "paymentType", "CP", "amount", "1.00", "currency", "EUR")
	o["cp.afterRV"] = string(outcome(cpRV.code())) + "/" + cpRV.code()

	bad := h.do("GET", "/v1/payments/"+id+"?entityId="+pub.EntityID, "", map[string]string{"Authorization": "Bearer wrong"})
	o["auth.badToken"] = strconv.Itoa(bad.status)
	cross := h.do("GET", "/v1/query/"+id+"?entityId="+SecondaryCredentials.EntityID, "", map[string]string{"Authorization": "Bearer " + SecondaryCredentials.AccessToken})
	o["auth.crossEntity"] = strconv.Itoa(cross.status) + "/" + yes(cross.get("id") != nil)

	dec := h.pa("card.number", "4200000000000001")
	o["decline.outcome"] = string(outcome(dec.code())) + "/" + strconv.Itoa(dec.status)
	forced := h.pa("customParameters[forceResultCode]", "800.100.151")
	o["decline.forced"] = string(outcome(forced.code()))

	fe := h.pa("amount", "92.0")
	o["format.code"] = fe.code()
	o["format.paramErrors"] = yes(fe.get("result.parameterErrors.0.name") != nil)

	a := h.post("/v1/payments", asyncParams("PAYPAL", "amount", "92.00")...)
	ap := byNDC(h, a.str("ndc"))
	o["async.outcome"] = string(outcome(a.code()))
	o["redirect.urlPresent"] = yes(a.str("redirect.url") != "")
	o["redirect.paramsShape"] = shape(a.get("redirect.parameters"))
	method, _ := a.get("redirect.method").(string)
	if method == "" {
		method = "POST"
	}
	var done reply
	if h.srv.Sandbox.realistic {
		// The realistic pages: the shopper walks the test bank to the shop.
		done, _ = h.walk(a, false, nil)
		o["redirect.paramsWork"] = "200"
	} else {
		pg := h.page(method, h.srv.URL+"connectors/demo/checkout/"+ap.id, a.redirectParams())
		o["redirect.paramsWork"] = strconv.Itoa(pg.status)
		done = h.page("POST", h.srv.URL+"connectors/demo/checkout/"+ap.id+"/complete",
			url.Values{"ndcid": {ap.ndc}, "sessionToken": {ap.session}, "outcome": {"approve"}})
	}
	loc, _ := url.Parse(done.header.Get("Location"))
	o["return.hasResourcePath"] = yes(loc.Query().Has("resourcePath"))
	o["return.resourcePathOwn"] = yes(loc.Query().Get("resourcePath") == "/v1/payments/"+ap.id)
	o["return.id"] = yes(loc.Query().Get("id") == ap.id)
	o["status.async"] = string(outcome(h.status(ap.id).code()))
	observeRefusals(o, h)
	observeCredentialsAndCards(o, h)
	observeThreeDSMethod(o, h)
	observeWebhooks(o, h)
	observeRegistrations(o, h)
	observeRecordedShapes(o, h)
	return o
}

// observeWebhooks records what a webhook receiver sees of a PA and its capture, from a
// second sandbox with the same modes that notifies a receiver. The capture's
// notification comes after the PA's (one worker, in order), so by then a duplicate of
// the PA's would have arrived.
func observeWebhooks(o map[string]string, h *harness) {
	h2, rcv := hooked(h.t, h.srv.Sandbox.opts.Defects...)
	of := func(r reply) func(webhook.Delivery) bool {
		// By ndc: some modes change or drop the id the reply (and so the payload) shows.
		return func(d webhook.Delivery) bool { return strings.Contains(string(d.Notification.Payload), r.str("ndc")) }
	}
	pa := h2.pa()
	id := byNDC(h2, pa.str("ndc")).id
	cp := h2.post("/v1/payments/"+id, "paymentType", "CP", "amount", "50.00", "currency", "EUR")
	ctx, cancel := context.WithTimeout(h.t.Context(), 3*time.Second)
	defer cancel()
	_, err := rcv.AwaitFunc(ctx, of(cp), 1)
	o["webhook.readable"] = yes(len(rcv.Unreadable()) == 0)
	o["webhook.cpNotified"] = yes(err == nil)
	ds := rcv.Matching(of(pa))
	o["webhook.paOnce"] = yes(len(ds) == 1)
	o["webhook.paAgrees"] = yes(len(ds) > 0 && string(ds[0].Notification.Payload) == pa.raw)
	rcv.RefuseFirst("retry-probe")
	rp := h2.pa("merchantTransactionId", "retry-probe")
	rctx, rcancel := context.WithTimeout(h.t.Context(), 3*time.Second)
	defer rcancel()
	_, err = rcv.AwaitFunc(rctx, func(d webhook.Delivery) bool { return of(rp)(d) && d.Status == 200 }, 1)
	o["webhook.retried"] = yes(err == nil)
}

// observeRegistrations records what registration tokens, standing instructions and
// credits promise: a token from a payment, a masked standalone token, isolation, the
// refusal after deletion and of a repeat without its initial, and the credit's type.
func observeRegistrations(o map[string]string, h *harness) {
	tp := h.pa("createRegistration", "true")
	o["reg.tokenised"] = yes(reID.MatchString(tp.str("registrationId")))
	reg := h.post("/v1/registrations", override(visa(), "amount", drop, "currency", drop, "paymentType", drop)...)
	o["reg.pan"] = yes(reg.get("card.number") != nil)
	tok := reg.str("id")
	other := h.do("GET", "/v1/registrations/"+tok+"?entityId="+SecondaryCredentials.EntityID, "",
		map[string]string{"Authorization": "Bearer " + SecondaryCredentials.AccessToken})
	o["reg.cross"] = strconv.Itoa(other.status) + "/" + yes(other.get("card") != nil)
	pay := func(tok string, kv ...string) reply {
		return h.post("/v1/registrations/"+tok+"/payments", append([]string{"paymentType", "DB", "amount", "10.00", "currency", "EUR"}, kv...)...)
	}
	o["rec.noInitial"] = pay(tok, "standingInstruction.mode", "REPEATED", "standingInstruction.type", "UNSCHEDULED", "standingInstruction.source", "MIT").code()
	o["rec.cardNoInitial"] = h.pa("standingInstruction.mode", "REPEATED", "standingInstruction.source", "MIT").code()
	o["rec.badMode"] = h.pa("standingInstruction.mode", "SOMETIMES").code()
	h.do("DELETE", "/v1/registrations/"+tok+"?entityId="+h.cred.EntityID, "", nil)
	o["reg.afterDelete"] = pay(tok).code()
	cd := h.pa("paymentType", "CD")
	o["cd.type"] = cd.str("paymentType")
	o["cd.statusType"] = h.status(byNDC(h, cd.str("ndc")).id).str("paymentType")
}

// observeThreeDSMethod records whether a 3-D Secure reply carries its precondition and
// how the payment ends when a client executes what the reply asks for (the stored
// result, so that lookups and pages other modes change do not count here).
func observeThreeDSMethod(o map[string]string, h *harness) {
	r := h.post("/v1/payments", visa("shopperResultUrl", "http://shop.example/r", "customParameters[3DS2_enrolled]", "true")...)
	p := byNDC(h, r.str("ndc"))
	u := r.str("redirect.preconditions.0.url")
	o["threeds.precondition"] = yes(u != "")
	if h.srv.Sandbox.realistic {
		h.walk(r, true, nil)
		h.srv.Sandbox.store.update(func(*txn) { o["threeds.outcome"] = p.code })
		return
	}
	if u != "" {
		h.page("POST", u, url.Values{"threeDSMethodData": {r.str("redirect.preconditions.0.parameters.0.value")}})
	}
	h.page("POST", h.srv.URL+"connectors/demo/threeds/"+p.id+"/complete",
		url.Values{"ndcid": {p.ndc}, "sessionToken": {p.session}, "outcome": {"Y"}})
	h.srv.Sandbox.store.update(func(*txn) { o["threeds.outcome"] = p.code })
}

// observeRefusals records the codes of the backoffice refusals the battery does not
// make on its way.
func observeRefusals(o map[string]string, h *harness) {
	cp := func(id, amount, currency string) string {
		return h.post("/v1/payments/"+id, "paymentType", "CP", "amount", amount, "currency", currency).code()
	}
	pa := byNDC(h, h.pa().str("ndc")).id
	cp(pa, "90.00", "EUR")
	o["cp.overPA"] = cp(pa, "5.00", "EUR")
	o["cp.otherCurrency"] = cp(pa, "1.00", "USD")
	db := byNDC(h, h.pa("paymentType", "DB").str("ndc")).id
	o["cp.ofDB"] = cp(db, "1.00", "EUR")
	h.post("/v1/payments/"+db, "paymentType", "RV")
	o["rv.second"] = h.post("/v1/payments/"+db, "paymentType", "RV").code()
	unknown := newID()
	o["bo.unknown"] = cp(unknown, "1.00", "EUR") + "/" +
		h.post("/v1/payments/"+unknown, "paymentType", "RF", "amount", "1.00", "currency", "EUR").code() + "/" +
		h.post("/v1/payments/"+unknown, "paymentType", "RV").code()
	pending := byNDC(h, h.post("/v1/payments", asyncParams("PAYPAL")...).str("ndc")).id
	o["bo.pending"] = cp(pending, "1.00", "EUR") + "/" +
		h.post("/v1/payments/"+pending, "paymentType", "RF", "amount", "1.00", "currency", "EUR").code()
}

// observeCredentialsAndCards records the answers to a request without credentials and
// to card payments missing a card field.
func observeCredentialsAndCards(o map[string]string, h *harness) {
	none := h.do("POST", "/v1/payments", h.form(visa()...), map[string]string{"Authorization": "-"})
	o["auth.none"] = strconv.Itoa(none.status) + "/" + none.code() + "/" + paramErrors(none)
	for _, k := range []string{"card.number", "card.expiryMonth", "card.expiryYear"} {
		r := h.pa(k, drop)
		o["format.missing."+k] = r.code() + "/" + paramErrors(r)
	}
	o["format.missingHolder"] = string(outcome(h.pa("card.holder", drop).code()))
}

// paramErrors lists a reply's parameter errors as name=value:message.
func paramErrors(r reply) string {
	list, _ := r.get("result.parameterErrors").([]any)
	var out []string
	for _, e := range list {
		m, _ := e.(map[string]any)
		out = append(out, fmt.Sprintf("%v=%v:%v", m["name"], m["value"], m["message"]))
	}
	return strings.Join(out, ",")
}

func shape(v any) string {
	switch v.(type) {
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// observeFields records the format and value of the fields a payment reply echoes.
func observeFields(o map[string]string, reply string, r reply) {
	o[reply+".idFormat"] = yes(reID.MatchString(r.str("id")))
	o[reply+".amountFormat"] = yes(reTwoDecimals.MatchString(r.str("amount")))
	o[reply+".amountValue"] = amountValue(r.str("amount"))
	o[reply+".currency"] = r.str("currency")
	o[reply+".type"] = r.str("paymentType")
	o[reply+".brand"] = r.str("paymentBrand")
}

// promises maps every defect mode to the observations its broken promise covers, and
// every variation mode to the observations it changes.
var promises = map[string][]string{
	modes.DefectSyncSuccessWrongGroup:   {"pa.outcome", "pa.http"},
	modes.DefectSyncAnswersPending:      {"pa.outcome"},
	modes.DefectIDMalformed:             {"pa.idFormat", "status.idFormat", "cp.idFormat"},
	modes.DefectIDMissing:               {"pa.idPresent", "pa.idFormat"},
	modes.DefectAmountNotTwoDecimals:    {"pa.amountFormat", "status.amountFormat", "cp.amountFormat"},
	modes.DefectAmountWrongValue:        {"pa.amountValue", "status.amountValue", "cp.amountValue"},
	modes.DefectCurrencyWrong:           {"pa.currency", "status.currency", "cp.currency"},
	modes.DefectPaymentTypeSwapped:      {"pa.type", "status.type"},
	modes.DefectBrandWrong:              {"pa.brand", "status.brand"},
	modes.DefectRedirectNoURL:           {"redirect.urlPresent"},
	modes.DefectRedirectParamsDropped:   {"redirect.paramsWork"},
	modes.DefectPreconditionsDropped:    {"threeds.precondition", "threeds.outcome"},
	modes.DefectReturnNoID:              {"return.id"},
	modes.DefectReturnNoResourcePath:    {"return.hasResourcePath", "return.resourcePathOwn"},
	modes.DefectReturnWrongResourcePath: {"return.resourcePathOwn"},
	modes.DefectStatusStuckPending:      {"status.async"},
	modes.DefectStatusOtherPayment:      {"status.sameID", "status.async", "cd.statusType"},
	modes.DefectCaptureNoNewID:          {"cp.newID"},
	modes.DefectCaptureIgnoresAmount:    {"cp.amountValue"},
	modes.DefectRefundAboveVolume:       {"rf.aboveVolume"},
	modes.DefectReversalLeavesCapture:   {"cp.afterRV"},
	modes.DefectBadTokenAccepted:        {"auth.badToken"},
	modes.DefectCrossEntityReadable:     {"auth.crossEntity"},
	modes.DefectDeclineAsSuccess:        {"decline.outcome", "decline.forced", "rec.noInitial", "rec.cardNoInitial", "reg.afterDelete"},
	modes.DefectParamErrorsMissing:      {"format.paramErrors", "format.missing.card.number", "format.missing.card.expiryMonth", "format.missing.card.expiryYear"},
	modes.DefectPANEchoed:               {"pa.pan"},
	modes.DefectWebhookWrongTag:         {"webhook.readable", "webhook.cpNotified", "webhook.paOnce", "webhook.paAgrees", "webhook.retried"},
	modes.DefectWebhookPayloadDisagrees: {"webhook.paAgrees"},
	modes.DefectWebhookMissing:          {"webhook.cpNotified"},
	modes.DefectWebhookDuplicated:       {"webhook.paOnce"},
	modes.DefectWebhookNotRetried:       {"webhook.retried"},
	modes.DefectRegistrationIDMissing:   {"reg.tokenised"},
	modes.DefectRegistrationExposesPAN:  {"reg.pan"},
	modes.DefectRegistrationCrossEntity: {"reg.cross"},
	modes.DefectTokenUsableAfterDelete:  {"reg.afterDelete"},
	modes.DefectMITWithoutInitial:       {"rec.noInitial", "rec.cardNoInitial"},
	modes.DefectStandingInstrUnchecked:  {"rec.badMode"},
	modes.DefectCreditShownAsDebit:      {"cd.type", "cd.statusType"},
	modes.DefectPreconditionNotRecorded: {"threeds.outcome"},
	modes.DefectWizardStepSkipped:       {"status.async"},

	modes.VaryRefusalCodes:         {"rf.aboveVolume", "cp.afterRV", "cp.overPA", "cp.otherCurrency", "cp.ofDB", "rv.second", "bo.unknown", "bo.pending"},
	modes.VaryNoCredentials:        {"auth.none"},
	modes.VaryCardErrorsOnBrand:    {"format.missing.card.number", "format.missing.card.expiryMonth", "format.missing.card.expiryYear"},
	modes.VaryHolderOptional:       {"format.missingHolder"},
	modes.VaryRedirectParamsObject: {"redirect.paramsShape"},
	modes.VaryReturnWithoutID:      {"return.id"},
	modes.VaryRecordedBackoffice:   {"cp.referencedId", "bo.recordedShape"},
}

func TestDefectModesBreakExactlyTheirPromise(t *testing.T) {
	base := battery(t, start(t, Options{NoStatusRateLimit: true}))
	// Modes on the realistic pages are compared with the faultless realistic pages.
	realistic := battery(t, start(t, Options{NoStatusRateLimit: true, Pages: PagesRealistic}))
	for _, m := range DefectModes() {
		t.Run(m.Name, func(t *testing.T) {
			h := start(t, Options{NoStatusRateLimit: true, Defects: []string{m.Name}})
			h.retry = true
			got := battery(t, h)
			base := base
			if m.Realistic {
				base = realistic
			}
			allowed := map[string]bool{}
			for _, k := range promises[m.Name] {
				allowed[k] = true
			}
			if !m.Tolerated && len(allowed) == 0 {
				t.Fatalf("no promise listed for %s", m.Name)
			}
			changed := 0
			for k, want := range base {
				if got[k] == want {
					continue
				}
				if allowed[k] {
					changed++
					continue
				}
				t.Errorf("%s also changed %s: %q -> %q", m.Name, k, want, got[k])
			}
			if !m.Tolerated && changed == 0 {
				t.Errorf("%s broke nothing the battery sees: %v", m.Name, got)
			}
		})
	}
}

// TestToleratedModesShow checks that each tolerated mode really changes what it says,
// so "the suites stay green" means something.
func TestToleratedModesShow(t *testing.T) {
	pa := func(mode string) (reply, *harness) {
		h := start(t, Options{Defects: []string{mode}})
		return h.pa(), h
	}
	if r, _ := pa(modes.TolerateExtraFields); !strings.Contains(r.raw, `"result":{"sandboxExtension"`) || r.get("card.x_sandbox_unknown") == nil {
		t.Errorf("extra fields: %s", r.raw)
	}
	if r, _ := pa(modes.TolerateFieldOrder); !strings.HasPrefix(r.raw, `{"ndc"`) {
		t.Errorf("field order: %s", r.raw)
	}
	if r, _ := pa(modes.TolerateDescriptions); r.code() != codeSuccess || r.str("result.description") == fixturesDescription(codeSuccess) {
		t.Errorf("descriptions: %s", r.raw)
	}
	_, h := pa(modes.TolerateNoRedirectMethod)
	if a := h.post("/v1/payments", asyncParams("PAYPAL")...); a.get("redirect.method") != nil {
		t.Errorf("no redirect method: %s", a.raw)
	}
	_, h = pa(modes.TolerateExtraRedirectParams)
	if a := h.post("/v1/payments", asyncParams("PAYPAL")...); len(a.redirectParams()) < 3 {
		t.Errorf("extra redirect params: %s", a.raw)
	}
	_, h = pa(modes.TolerateRetryAfter)
	faults := 0
	for i := 0; i < 40; i++ {
		r := h.do("GET", "/v1/resultcodes", "", nil)
		if r.status == 503 {
			faults++
			if r.header.Get("Retry-After") != "0" {
				t.Errorf("Retry-After %q", r.header.Get("Retry-After"))
			}
			if again := h.do("GET", "/v1/resultcodes", "", nil); again.status != 200 {
				t.Fatal("a retry after a tolerated fault must succeed")
			}
		}
	}
	if faults == 0 {
		t.Error("no tolerated 503 in 40 GETs")
	}
	t0 := time.Now()
	if pa(modes.TolerateLatency); time.Since(t0) < 20*time.Millisecond {
		t.Error("no latency")
	}
}

// variationShows is what each variation mode's observations must read: the answer its
// source records or documents.
var variationShows = map[string]map[string]string{
	modes.VaryRefusalCodes: {
		"rf.aboveVolume": `^rejected/` + code700 + `$`, "cp.afterRV": `^rejected/` + code700 + `$`,
		"cp.overPA": `^` + code700 + `$`, "cp.otherCurrency": `^` + code700 + `$`,
		"cp.ofDB": `^` + code700 + `$`, "rv.second": `^` + code700 + `$`,
		// The capture of an unknown id is recorded as 700.400.510 and keeps it.
		"bo.unknown": `^700\.400\.510/` + code700 + `/` + code700 + `$`,
		"bo.pending": `^` + code700 + `/` + code700 + `$`,
	},
	modes.VaryNoCredentials:     {"auth.none": `^400/200\.300\.404/authentication=<nil>:may not be null$`},
	modes.VaryCardErrorsOnBrand: {"format.missing.card.number": cardOnBrand, "format.missing.card.expiryMonth": cardOnBrand, "format.missing.card.expiryYear": cardOnBrand},
	modes.VaryHolderOptional:    {"format.missingHolder": `^success$`},
	// The battery also holds redirect.paramsWork: the pages still take the parameters.
	modes.VaryRedirectParamsObject: {"redirect.paramsShape": `^object$`},
	modes.VaryReturnWithoutID:      {"return.id": `^false$`, "return.resourcePathOwn": `^true$`},
	modes.VaryRecordedBackoffice: {"cp.referencedId": `^false$`,
		"bo.recordedShape": `^ref=false,brand=false,cpRisk=true,rfRisk=false,rvRisk=true,trailing=false$`},
}

const (
	code700     = `700\.[1345][05]0\.[0-9]{3}` // the documented reference-validation group
	cardOnBrand = `^200\.300\.404/paymentBrand=<nil>:card properties must be set$`
)

// TestVariationModesAnswerAsTheirSource checks each variation mode against the answer
// its source shows, and that its backoffice codes are none of the sandbox's defaults.
func TestVariationModesAnswerAsTheirSource(t *testing.T) {
	base := battery(t, start(t, Options{NoStatusRateLimit: true}))
	for _, m := range DefectModes() {
		if !m.Variation {
			continue
		}
		t.Run(m.Name, func(t *testing.T) {
			want, ok := variationShows[m.Name]
			if !ok {
				t.Fatalf("no expected answer listed for %s", m.Name)
			}
			got := battery(t, start(t, Options{NoStatusRateLimit: true, Defects: []string{m.Name}}))
			for k, re := range want {
				if !regexp.MustCompile(re).MatchString(got[k]) {
					t.Errorf("%s = %q, want %s", k, got[k], re)
				}
			}
			if m.Name == modes.VaryRefusalCodes {
				for _, k := range promises[m.Name] {
					if k != "bo.unknown" && got[k] == base[k] {
						t.Errorf("%s still answers the default %q", k, got[k])
					}
				}
			}
		})
	}
}

func fixturesDescription(code string) string {
	s, _ := New(Options{})
	desc, _ := s.result(code, nil).Get("description").(string)
	return desc
}

// TestDefectModesList checks the one table of modes as DefectModes lists it: unique
// names, a description, the kind the name says, a battery entry for every mode the
// suites must catch (package modes checks the hooks and filters of every entry).
func TestDefectModesList(t *testing.T) {
	seen := map[string]bool{}
	for _, m := range DefectModes() {
		if seen[m.Name] || strings.TrimSpace(m.Description) == "" ||
			m.Tolerated != strings.HasPrefix(m.Name, "tolerate-") || m.Variation != strings.HasPrefix(m.Name, "vary-") || m.Tolerated && m.Variation {
			t.Errorf("mode %+v", m)
		}
		seen[m.Name] = true
		if !m.Tolerated {
			if _, ok := promises[m.Name]; !ok {
				t.Errorf("%s has no battery entry", m.Name)
			}
		}
	}
	if _, err := New(Options{Defects: []string{"pan-echoed", "bogus"}}); err == nil || !strings.Contains(err.Error(), "bogus") {
		t.Errorf("unknown mode: %v", err)
	}
}

// TestREADMEListsEveryMode keeps the README's table of modes in step with the table.
func TestREADMEListsEveryMode(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range DefectModes() {
		if !strings.Contains(string(b), "`"+m.Name+"`") {
			t.Errorf("README.md does not list %s", m.Name)
		}
	}
}
