package loopback

import (
	"context"
	"errors"
	"net/http"
	"testing"
)

// A wait taken before an arrival is woken by it; Close wakes every wait, and
// later ones get ErrClosed.
func TestNextChangedClose(t *testing.T) {
	s, err := Start(t.Context(), "127.0.0.1:0", http.NotFoundHandler())
	if err != nil {
		t.Fatal(err)
	}
	next, err := s.Next()
	if err != nil {
		t.Fatal(err)
	}
	s.Changed()
	<-next // would block forever if Changed did not wake it
	next, _ = s.Next()
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	<-next
	if _, err := s.Next(); !errors.Is(err, ErrClosed) {
		t.Fatalf("Next after Close: %v, want ErrClosed", err)
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatalf("second Close: %v", err)
	}
}
