package sandbox

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
)

// The two benchmarks make the same kind of request over a real loopback listener with
// keep-alive, one to the sandbox's PA and one to a plain net/http handler answering a
// small JSON, so their ratio shows what the simulator itself costs.

var benchBody = "entityId=" + pub.EntityID + "&amount=92.00&currency=EUR&paymentBrand=VISA&paymentType=PA" +
	"&card.number=4200000000000000&card.holder=Jane+Jones&card.expiryMonth=05&card.expiryYear=" + fixtures.ExpiryYear() + "&card.cvv=123" +
	"&merchantTransactionId=bench-1&customer.email=jane%40example.com&billing.country=DE"

func benchPOST(b *testing.B, url string) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 16}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req, _ := http.NewRequest("POST", url, strings.NewReader(benchBody))
		req.Header.Set("Authorization", "Bearer "+pub.AccessToken)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

func BenchmarkPA(b *testing.B) {
	srv, err := Start(context.Background(), "127.0.0.1:0", Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close(context.Background())
	benchPOST(b, srv.URL+"v1/payments")
}

func BenchmarkNetHTTPFloor(b *testing.B) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	small := []byte(`{"id":"8a82944a5fe82704015fff6cf5e572b4","result":{"code":"000.100.110"}}`)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(small)
	})}
	go srv.Serve(ln)
	defer srv.Close()
	benchPOST(b, "http://"+ln.Addr().String()+"/v1/payments")
}

// BenchmarkPAHandler measures the handler alone, without the network.
func BenchmarkPAHandler(b *testing.B) {
	sb, err := New(Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	w := &discardWriter{h: http.Header{}}
	for i := 0; i < b.N; i++ {
		req, _ := http.NewRequest("POST", "/v1/payments", strings.NewReader(benchBody))
		req.Header.Set("Authorization", "Bearer "+pub.AccessToken)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		clear(w.h)
		sb.ServeHTTP(w, req)
	}
}

type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d *discardWriter) WriteHeader(int)             {}
