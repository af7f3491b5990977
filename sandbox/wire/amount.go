package wire

import (
	"fmt"
	"strconv"
	"strings"
)

// FormatAmount writes minor units as "92.00" ("" for -1, no amount).
func FormatAmount(cents int64) string {
	if cents < 0 {
		return ""
	}
	return fmt.Sprintf("%d.%02d", cents/100, cents%100)
}

// ParseAmount reads an amount that already passed the format check.
func ParseAmount(s string) int64 {
	whole, frac, _ := strings.Cut(s, ".")
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return -1
	}
	f := int64(0)
	if frac != "" {
		f, _ = strconv.ParseInt(frac, 10, 64)
	}
	return w*100 + f
}
