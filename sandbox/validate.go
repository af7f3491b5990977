package sandbox

import (
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/oppwa-conformance/oppwa-conformance/sandbox/hook"

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
)

// Messages of result.parameterErrors, worded as the platform words them.
const (
	msgEmpty       = hook.MsgEmpty
	msgAmount      = `must match ^[0-9]{1,12}(\.[0-9]{2})?$`
	msgCurrency    = `must match ^[A-Z]{3}$`
	msgInitialType = "must be one of [PA, DB, CD, PA.CP]"
	msgBackType    = "must be one of [CP, RF, RV]"
	msgCardProps   = hook.MsgCardProps
	msgEntity      = `must match ^[a-f0-9]{32}$`
	// The sandbox's own wording: no recording shows these two refusals.
	msgEntityDiffers = "must equal entityId when both are sent"
	msgLegacyLogin   = "the userId/password login is no longer accepted: send the access token as Authorization: Bearer"
	msgCardNumber    = `must match ^[0-9]{12,19}$`
	msgCVV           = `must match ^[0-9]{3,4}$`
	msgBrand         = `must match ^[A-Z0-9_]{1,32}$`
	msgURL           = "must be a valid http or https URL"
	msgCustomName    = `must match ^[a-zA-Z0-9._]{3,64}$`
	msgTestMode      = "must be one of [INTERNAL, EXTERNAL]"
	msgForceCode     = `must match ^[0-9]{3}\.[0-9]{3}\.[0-9]{3}$`
	msgChallenge     = `must match ^[0-9]{1,2}$`
)

// The format checks are small functions rather than regexps; each says the pattern it
// implements.

// charsIn reports whether s has min..max bytes, each accepted by ok.
func charsIn(s string, min, max int, ok func(c byte) bool) bool {
	if len(s) < min || len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !ok(s[i]) {
			return false
		}
	}
	return true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }
func isLower(c byte) bool { return c >= 'a' && c <= 'z' }

// allDigits is ^[0-9]{min,max}$.
func allDigits(s string, min, max int) bool { return charsIn(s, min, max, isDigit) }

// validAmount is ^[0-9]{1,12}(\.[0-9]{2})?$.
func validAmount(s string) bool {
	whole, frac, dot := strings.Cut(s, ".")
	if !allDigits(whole, 1, 12) {
		return false
	}
	return !dot || allDigits(frac, 2, 2)
}

// validCurrency is ^[A-Z]{3}$.
func validCurrency(s string) bool { return charsIn(s, 3, 3, isUpper) }

// validBrandName is ^[A-Z0-9_]{1,32}$.
func validBrandName(s string) bool {
	return charsIn(s, 1, 32, func(c byte) bool { return isUpper(c) || isDigit(c) || c == '_' })
}

// validCustomName is ^[a-zA-Z0-9._]{3,64}$.
func validCustomName(s string) bool {
	return charsIn(s, 3, 64, func(c byte) bool { return isUpper(c) || isLower(c) || isDigit(c) || c == '_' || c == '.' })
}

// validCode is ^[0-9]{3}\.[0-9]{3}\.[0-9]{3}$.
func validCode(s string) bool {
	return len(s) == 11 && s[3] == '.' && s[7] == '.' &&
		allDigits(s[:3], 3, 3) && allDigits(s[4:7], 3, 3) && allDigits(s[8:], 3, 3)
}

// validEntity is ^[a-f0-9]{32}$.
func validEntity(s string) bool {
	return charsIn(s, 32, 32, func(c byte) bool { return isDigit(c) || c >= 'a' && c <= 'f' })
}

func validURL(s string) bool {
	if len(s) > 2048 {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// checkAmountCurrency validates the amount and currency a request must carry.
func checkAmountCurrency(p params, perrs []paramError) []paramError {
	if a := p.get("amount"); a == "" {
		perrs = append(perrs, paramError{Name: "amount", Message: msgEmpty})
	} else if !validAmount(a) {
		perrs = append(perrs, paramError{Name: "amount", Value: a, Message: msgAmount})
	}
	if c := p.get("currency"); c == "" {
		perrs = append(perrs, paramError{Name: "currency", Message: msgEmpty})
	} else if !validCurrency(c) {
		perrs = append(perrs, paramError{Name: "currency", Value: c, Message: msgCurrency})
	}
	return perrs
}

// checkCommon validates optional parameters every payment request may carry.
func checkCommon(p params, perrs []paramError) []paramError {
	for _, k := range []string{"merchantTransactionId", "merchantInvoiceId"} {
		if v := p.get(k); len(v) > 255 {
			perrs = append(perrs, paramError{Name: k, Value: v, Message: "size must be between 0 and 255"})
		}
	}
	if p.has("testMode") {
		if v := p.get("testMode"); v != "INTERNAL" && v != "EXTERNAL" {
			perrs = append(perrs, paramError{Name: "testMode", Value: v, Message: msgTestMode})
		}
	}
	for i, k := range p.keys {
		if name, ok := customName(k); ok {
			if !validCustomName(name) {
				perrs = append(perrs, paramError{Name: k, Value: p.vals[i], Message: msgCustomName})
			} else if len(p.vals[i]) > 2048 {
				perrs = append(perrs, paramError{Name: k, Value: p.vals[i][:64] + "...", Message: "size must be between 0 and 2048"})
			}
		}
	}
	if fc := p.custom("forceResultCode"); p.has("customParameters[forceResultCode]") && !validCode(fc) {
		perrs = append(perrs, paramError{Name: "customParameters[forceResultCode]", Value: fc, Message: msgForceCode})
	}
	return perrs
}

// validateInitial checks the format of an initial payment (POST /v1/payments), then
// passes the initialFormat hook point. Format errors answer 200.300.404 with
// parameterErrors and store nothing.
func (s *Sandbox) validateInitial(p params) []paramError {
	perrs := checkAmountCurrency(p, checkInitialType(p, nil))
	perrs, brand, known := s.checkInstrument(p, perrs)
	if p.has("shopperResultUrl") {
		if u := p.get("shopperResultUrl"); !validURL(u) {
			perrs = append(perrs, paramError{Name: "shopperResultUrl", Value: u, Message: msgURL})
		}
	}
	if ci := p.get("threeDSecure.challengeIndicator"); ci != "" && !allDigits(ci, 1, 2) {
		perrs = append(perrs, paramError{Name: "threeDSecure.challengeIndicator", Value: ci, Message: msgChallenge})
	}
	perrs = checkStandingInstruction(p, perrs)
	f := initialFormat{Card: known && brand.Kind == "card", Errs: checkCommon(p, perrs)}
	fire(s, &f)
	return f.Errs
}

// checkInitialType validates the paymentType of an initial payment.
func checkInitialType(p params, perrs []paramError) []paramError {
	switch pt := p.get("paymentType"); pt {
	case "PA", "DB", "CD", "PA.CP":
	case "":
		perrs = append(perrs, paramError{Name: "paymentType", Message: msgEmpty})
	default:
		perrs = append(perrs, paramError{Name: "paymentType", Value: pt, Message: msgInitialType})
	}
	return perrs
}

// validateTokenPayment checks a payment with a stored token (POST
// /v1/registrations/{id}/payments): as an initial payment, but the token stands for
// the brand and card, so neither is required.
func validateTokenPayment(p params) []paramError {
	perrs := checkAmountCurrency(p, checkInitialType(p, nil))
	if b := p.get("paymentBrand"); b != "" && !validBrandName(b) {
		perrs = append(perrs, paramError{Name: "paymentBrand", Value: b, Message: msgBrand})
	}
	return checkCommon(p, checkStandingInstruction(p, perrs))
}

// standingInstructionValues are the documented values of the standing instruction
// parameters (card-on-file guide).
var standingInstructionValues = []struct {
	name    string
	allowed []string
	message string
}{
	{"standingInstruction.mode", []string{"INITIAL", "REPEATED"}, "must be one of [INITIAL, REPEATED]"},
	{"standingInstruction.type", []string{"UNSCHEDULED", "RECURRING", "INSTALLMENT"}, "must be one of [UNSCHEDULED, RECURRING, INSTALLMENT]"},
	{"standingInstruction.source", []string{"CIT", "MIT"}, "must be one of [CIT, MIT]"},
}

// checkStandingInstruction validates the standing instruction parameters a request
// carries: each, when present, must hold one of its documented values.
func checkStandingInstruction(p params, perrs []paramError) []paramError {
	for _, si := range standingInstructionValues {
		if v := p.get(si.name); p.has(si.name) && !slices.Contains(si.allowed, v) {
			perrs = append(perrs, paramError{Name: si.name, Value: v, Message: si.message})
		}
	}
	if v := p.get("standingInstruction.initialTransactionId"); len(v) > 255 {
		perrs = append(perrs, paramError{Name: "standingInstruction.initialTransactionId", Value: v[:64] + "...", Message: "size must be between 0 and 255"})
	}
	return perrs
}

// checkInstrument validates the brand and its card or account data, as an initial
// payment and a standalone tokenisation both carry them.
func (s *Sandbox) checkInstrument(p params, perrs []paramError) ([]paramError, fixtures.Brand, bool) {
	brandName := p.get("paymentBrand")
	switch {
	case brandName == "":
		// Recorded with and without card data (real-platform.md §4; activemerchant
		// cardprocess_test.rb failed_refund_response, a POST with no card at all).
		perrs = append(perrs, paramError{Name: "paymentBrand", Message: msgCardProps})
	case !validBrandName(brandName):
		perrs = append(perrs, paramError{Name: "paymentBrand", Value: brandName, Message: msgBrand})
	}
	brand, known := s.contract.Brand(brandName)
	if known {
		for _, k := range brand.Required {
			if p.get(k) == "" {
				perrs = append(perrs, paramError{Name: k, Message: msgEmpty})
			}
		}
		if brand.Kind == "card" {
			if n := p.get("card.number"); n != "" && !allDigits(n, 12, 19) {
				perrs = append(perrs, paramError{Name: "card.number", Value: maskMiddle(n), Message: msgCardNumber})
			}
			if c := p.get("card.cvv"); c != "" && !allDigits(c, 3, 4) {
				perrs = append(perrs, paramError{Name: "card.cvv", Message: msgCVV})
			}
			if h := p.get("card.holder"); len(h) > 128 {
				perrs = append(perrs, paramError{Name: "card.holder", Value: h, Message: "size must be between 0 and 128"})
			}
		}
	}
	return perrs, brand, known
}

// validateBackoffice checks a backoffice request (POST /v1/payments/{id}): CP and RF
// need amount and currency, RV needs neither.
func validateBackoffice(p params) []paramError {
	var perrs []paramError
	switch pt := p.get("paymentType"); pt {
	case "CP", "RF":
		perrs = checkAmountCurrency(p, perrs)
	case "RV":
		if a := p.get("amount"); a != "" && !validAmount(a) {
			perrs = append(perrs, paramError{Name: "amount", Value: a, Message: msgAmount})
		}
		if c := p.get("currency"); c != "" && !validCurrency(c) {
			perrs = append(perrs, paramError{Name: "currency", Value: c, Message: msgCurrency})
		}
	case "":
		perrs = append(perrs, paramError{Name: "paymentType", Message: msgEmpty})
	default:
		perrs = append(perrs, paramError{Name: "paymentType", Value: pt, Message: msgBackType})
	}
	return checkCommon(p, perrs)
}

// brandMatches checks the number against the brand's well-known prefixes
// (fixtures/rules.json cardPrefixes). Brands without a distinctive range (the Turkish
// loyalty brands ASYACARD, AXESS, BONUS and WORLD run on VISA/MASTER numbers,
// CARTEBLEUE too) have no rule and are never a mismatch.
func brandMatches(brand, n string) bool { return fixtures.Load().Rules().BrandMatches(brand, n) }

// cvvRequired says whether the platform refuses an empty CVV for brand (100.100.600;
// fixtures/rules.json cvvRequired).
func cvvRequired(brand string) bool { return fixtures.Load().Rules().RequiresCVV(brand) }

// cardCheck applies the platform's card checks to a well-formed card payment and
// returns the documented decline code, or "". Documented test cards skip the prefix
// check (they are the simulator's own list); every one but the Luhn card passes Luhn.
func cardCheck(brand string, p params, now time.Time, documented bool) string {
	n := p.get("card.number")
	if !fixtures.Luhn(n) {
		return codeLuhn
	}
	if !documented && !brandMatches(brand, n) {
		return codeBrandMismatch
	}
	m, y := p.get("card.expiryMonth"), p.get("card.expiryYear")
	if !allDigits(m, 2, 2) || m < "01" || m > "12" {
		return codeBadMonth
	}
	if !allDigits(y, 4, 4) {
		return codeBadYear
	}
	yy := int(y[0]-'0')*1000 + int(y[1]-'0')*100 + int(y[2]-'0')*10 + int(y[3]-'0')
	mm := int(m[0]-'0')*10 + int(m[1]-'0')
	now = now.UTC()
	if yy*12+mm < now.Year()*12+int(now.Month()) {
		return codeExpired
	}
	if p.get("card.cvv") == "" && cvvRequired(brand) {
		return codeNoCVV
	}
	return ""
}

// ibanValid is the ISO 13616 mod-97 check.
func ibanValid(iban string) bool {
	iban = strings.ToUpper(strings.ReplaceAll(iban, " ", ""))
	if len(iban) < 15 || len(iban) > 34 {
		return false
	}
	r := iban[4:] + iban[:4]
	rem := 0
	for i := 0; i < len(r); i++ {
		c := r[i]
		switch {
		case c >= '0' && c <= '9':
			rem = (rem*10 + int(c-'0')) % 97
		case c >= 'A' && c <= 'Z':
			rem = (rem*100 + int(c-'A'+10)) % 97
		default:
			return false
		}
	}
	return rem == 1
}

// maskMiddle keeps the first 6 and last 4 characters, as the platform shows card
// numbers and IBANs.
func maskMiddle(s string) string {
	if len(s) <= 10 {
		return strings.Repeat("*", len(s))
	}
	return s[:6] + strings.Repeat("*", len(s)-10) + s[len(s)-4:]
}

// isoCurrencies are the active ISO 4217 codes; a well-formed code outside it answers
// 100.550.401 "invalid currency".
var isoCurrencies = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range strings.Fields(`AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD
		BND BOB BRL BSD BTN BWP BYN BZD CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD
		EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD
		IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL
		MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK
		PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN
		SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VED VES VND VUV WST
		XAF XCD XCG XOF XPF YER ZAR ZMW ZWG ZWL`) {
		m[c] = true
	}
	return m
}()

// amountRule applies the amount and currency business rules (100.550.x) to a
// well-formed request.
func amountRule(cents int64, currency string) string {
	if cents <= 0 {
		return codeLowAmount
	}
	if !isoCurrencies[currency] {
		return codeBadCurrency
	}
	return ""
}
