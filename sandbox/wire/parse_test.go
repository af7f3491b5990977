package wire

import "testing"

func TestParseKeepsKeyOrderAndValues(t *testing.T) {
	in := `{"z":"1","a":{"y":2.50,"b":[{"n":"x"},true,null]},"m":[]}`
	doc, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	out, err := doc.MarshalJSON()
	if err != nil || string(out) != in {
		t.Errorf("round trip %s (%v), want %s", out, err, in)
	}
	for _, bad := range []string{`[1]`, `"x"`, `{"a":1} {}`, `{"a":`} {
		if _, err := Parse([]byte(bad)); err == nil {
			t.Errorf("Parse(%s): want an error", bad)
		}
	}
}
