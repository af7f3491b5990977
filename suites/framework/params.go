package framework

import (
	"net/url"

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
)

// Amount is the amount of test payments (fixtures.TestAmount).
const Amount = fixtures.TestAmount

// Payment builds the parameters a merchant sends for brand (fixtures.PaymentParams, in
// CurrencyOf(brand)) with the merchant reference and, for async brands, the
// shopperResultUrl (form encoding url-encodes it, as documented). Callers read what
// was sent back from the values.
func Payment(brand fixtures.Brand, mtid, resultURL string) (url.Values, fixtures.Card, error) {
	v, card, err := fixtures.Load().PaymentParams(brand, CurrencyOf(brand))
	if err != nil {
		return nil, card, err
	}
	v.Set("merchantTransactionId", mtid)
	if brand.Workflow == fixtures.Async && resultURL != "" {
		v.Set("shopperResultUrl", resultURL)
	}
	return v, card, nil
}

// CurrencyOf is the currency brand pays in: OPPWA_CURRENCY when set, else the
// currency of the brand's test data (TRY for the Turkish card brands, BRL for
// BOLETO...).
func CurrencyOf(brand fixtures.Brand) string { return Config().PaymentCurrency(brand) }

// Brands returns the configured brands with the given workflow, in configured order.
func Brands(w fixtures.Workflow) []fixtures.Brand {
	c := fixtures.Load()
	var out []fixtures.Brand
	for _, name := range Config().Brands {
		if b, ok := c.Brand(name); ok && b.Workflow == w {
			out = append(out, b)
		}
	}
	return out
}

// HasBrand reports whether the run covers brand.
func HasBrand(name string) bool {
	for _, b := range Config().Brands {
		if b == name {
			return true
		}
	}
	return false
}
