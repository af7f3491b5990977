package sandbox_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/oppwa-conformance/oppwa-conformance/sandbox"

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
	"github.com/oppwa-conformance/oppwa-conformance/twin"
)

// Start the sandbox on a free local port and authorise a card payment (PA) with
// net/http, using the public test credentials.
func Example() {
	ctx := context.Background()
	srv, err := sandbox.Start(ctx, "127.0.0.1:0", sandbox.Options{})
	if err != nil {
		panic(err)
	}
	defer srv.Close(ctx)

	cred := sandbox.PublicCredentials()
	form := url.Values{
		"entityId":         {cred.EntityID},
		"amount":           {"92.00"},
		"currency":         {"EUR"},
		"paymentBrand":     {"VISA"},
		"paymentType":      {"PA"},
		"card.number":      {"4200000000000000"},
		"card.holder":      {"Jane Jones"},
		"card.expiryMonth": {"05"},
		"card.expiryYear":  {fixtures.ExpiryYear()},
		"card.cvv":         {"123"},
	}
	req, err := http.NewRequest("POST", srv.URL+"v1/payments", strings.NewReader(form.Encode()))
	if err != nil {
		panic(err)
	}
	req.Header.Set("Authorization", "Bearer "+cred.AccessToken)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()

	var reply struct {
		ID     string `json:"id"`
		Amount string `json:"amount"`
		Result struct {
			Code string `json:"code"`
		} `json:"result"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&reply); err != nil {
		panic(err)
	}
	fmt.Println("HTTP", resp.StatusCode)
	fmt.Println("result", reply.Result.Code)
	fmt.Println("amount", reply.Amount)
	fmt.Println("id length", len(reply.ID))
	// Output:
	// HTTP 200
	// result 000.100.110
	// amount 92.00
	// id length 32
}

// Start the sandbox as the twin of an account: where the calibration (normally the
// twin.json a run against the account wrote, read with twin.Load) saw the account
// answer, the sandbox answers so; here a VISA debit succeeds with the account's code
// and its description, and a brand the account lacks is refused with its code.
func ExampleOptions_twin() {
	ctx := context.Background()
	cal := &twin.Calibration{
		Account: twin.Account{Brands: []string{"VISA"}, NotConfigured: []twin.BrandRefusal{{Brand: "MASTER", Code: "500.100.201"}}},
		Results: []twin.Result{{Brand: "VISA", PaymentType: "DB", Outcome: fixtures.Success,
			Code: "000.000.000", Description: "Transaction succeeded"}},
	}
	srv, err := sandbox.Start(ctx, "127.0.0.1:0", sandbox.Options{Twin: cal})
	if err != nil {
		panic(err)
	}
	defer srv.Close(ctx)

	cred := sandbox.PublicCredentials()
	for _, brand := range []string{"VISA", "MASTER"} {
		b, _ := fixtures.Load().Brand(brand)
		form, _, err := fixtures.Load().PaymentParams(b, "EUR")
		if err != nil {
			panic(err)
		}
		form.Set("entityId", cred.EntityID)
		form.Set("paymentType", "DB")
		req, _ := http.NewRequest("POST", srv.URL+"v1/payments", strings.NewReader(form.Encode()))
		req.Header.Set("Authorization", "Bearer "+cred.AccessToken)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		var reply struct {
			Result struct{ Code, Description string } `json:"result"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&reply)
		resp.Body.Close()
		fmt.Println(brand, resp.StatusCode, reply.Result.Code, reply.Result.Description)
	}
	// Output:
	// VISA 200 000.000.000 Transaction succeeded
	// MASTER 400 500.100.201 Channel/Merchant is disabled (no processing possible)
}
