package shopper_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/oppwa-conformance/oppwa-conformance/drivers/shopper"
)

func start(t *testing.T) *shopper.Receiver {
	t.Helper()
	r, err := shopper.Start(context.Background(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(context.Background()) })
	return r
}

// arrive plays the platform's final redirect: the shopperResultUrl plus id and
// resourcePath. The shop answers 204 with no body: it shows no page.
func arrive(t testing.TB, r *shopper.Receiver, key, id string) {
	u, err := url.Parse(r.URL(key))
	if err != nil {
		t.Error(err)
		return
	}
	q := u.Query()
	q.Set("id", id)
	q.Set("resourcePath", "/v1/payments/"+id)
	u.RawQuery = q.Encode()
	resp, err := http.Get(u.String())
	if err != nil {
		t.Error(err)
		return
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusNoContent || len(b) != 0 {
		t.Errorf("status %d, body %q; want 204 and none", resp.StatusCode, b)
	}
}

func TestURLs(t *testing.T) {
	r := start(t)
	if got, want := r.URL("k 1/x"), r.BaseURL()+"/return/k%201%2Fx?shop=conformance"; got != want {
		t.Errorf("URL = %s, want %s", got, want)
	}
	if got := r.Prefix("k"); got != r.BaseURL()+"/return/k" {
		t.Errorf("Prefix = %s", got)
	}
	if !strings.HasPrefix(r.BaseURL(), "http://127.0.0.1:") {
		t.Errorf("base %s", r.BaseURL())
	}
}

func TestAwait(t *testing.T) {
	r := start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	key := "paypal approve/1"
	got := make(chan shopper.Return, 1)
	go func() {
		ret, err := r.Await(ctx, key)
		if err != nil {
			t.Error(err)
		}
		got <- ret
	}()
	arrive(t, r, key, "8ac7a4a1")
	ret := <-got
	if ret.Key != key || ret.ID != "8ac7a4a1" || ret.ResourcePath != "/v1/payments/8ac7a4a1" ||
		ret.Query.Get("shop") != "conformance" || ret.At.IsZero() {
		t.Errorf("return = %+v", ret)
	}

	// Arrivals are handed out in order, one per Await.
	arrive(t, r, key, "second")
	arrive(t, r, key, "third")
	for _, want := range []string{"second", "third"} {
		ret, err := r.Await(ctx, key)
		if err != nil || ret.ID != want {
			t.Errorf("Await = %v %v, want %s", ret.ID, err, want)
		}
	}
	if n := len(r.Returns(key)); n != 3 {
		t.Errorf("Returns: %d", n)
	}

	// Nothing left: Await ends with ctx.
	short, cancel2 := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel2()
	if _, err := r.Await(short, key); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v", err)
	}
}

func TestNotFound(t *testing.T) {
	r := start(t)
	for _, p := range []string{"/", "/return/", "/other", "/return/a/b"} {
		resp, err := http.Get(r.BaseURL() + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s: %d", p, resp.StatusCode)
		}
	}
}

func TestConcurrentKeys(t *testing.T) {
	r := start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var wg sync.WaitGroup
	for i := range 20 {
		key := fmt.Sprintf("spec-%d", i)
		wg.Go(func() {
			ret, err := r.Await(ctx, key)
			if err != nil || ret.ID != "id-"+key {
				t.Errorf("%s: %+v %v", key, ret, err)
			}
		})
		wg.Go(func() { arrive(t, r, key, "id-"+key) })
	}
	wg.Wait()
}

func TestCloseWakesAwait(t *testing.T) {
	r, err := shopper.Start(context.Background(), "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := r.Await(context.Background(), "k")
		done <- err
	}()
	if err := r.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := <-done; !errors.Is(err, shopper.ErrClosed) {
		t.Errorf("err = %v", err)
	}
	if err := r.Close(context.Background()); err != nil {
		t.Errorf("second Close: %v", err)
	}
}
