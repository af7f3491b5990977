package framework

import (
	"fmt"
	"net/url"

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
)

// Amount is the amount of test payments. 92.00 is one of the two amounts that succeed
// on every documented sandbox, including multi-currency ones.
const Amount = "92.00"

// Holder is the card holder of test payments.
const Holder = "Jane Jones"

// CardParams are the card fields of a documented test card, with an expiry safely in
// the future.
func CardParams(card fixtures.Card) url.Values {
	return url.Values{
		"paymentBrand":     {card.Brand},
		"card.number":      {card.Number},
		"card.holder":      {Holder},
		"card.expiryMonth": {"12"},
		"card.expiryYear":  {fixtures.ExpiryYear()},
		"card.cvv":         {card.CVV},
	}
}

// Payment builds the parameters a merchant sends for brand: amount, currency, the
// merchant reference, the brand's documented test card or account, and for async
// brands the shopperResultUrl (form encoding url-encodes it, as documented).
func Payment(brand fixtures.Brand, currency, mtid, resultURL string) (url.Values, fixtures.Card, error) {
	v := url.Values{
		"amount":                {Amount},
		"currency":              {currency},
		"paymentBrand":          {brand.Name},
		"merchantTransactionId": {mtid},
	}
	var card fixtures.Card
	if brand.Kind == "card" {
		c, ok := fixtures.Load().Card(brand.Name, "success")
		if !ok {
			return nil, card, fmt.Errorf("brand %s has no documented success test card", brand.Name)
		}
		card = c
		for k, vs := range CardParams(c) {
			v[k] = vs
		}
	}
	for k, val := range brand.Params {
		v.Set(k, val)
	}
	if brand.Workflow == fixtures.Async && resultURL != "" {
		v.Set("shopperResultUrl", resultURL)
	}
	return v, card, nil
}

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
