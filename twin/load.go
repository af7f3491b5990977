package twin

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/oppwa-conformance/oppwa-conformance/fixtures"
)

// Load reads a calibration from a twin.json file or from a report directory holding
// one. Its errors are one line naming the file and what is wrong: missing,
// unreadable, not a calibration, of a newer or older format, made against the
// embedded sandbox itself, or naming a brand the fixtures do not know.
func Load(path string) (*Calibration, error) {
	file, err := locate(path)
	if err != nil {
		return nil, err
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("%s is unreadable: %w", file, err)
	}
	var c Calibration
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("%s is not an account calibration: %v (give the twin.json a run against a real target wrote)", file, err)
	}
	if err := c.check(); err != nil {
		return nil, fmt.Errorf("%s %w", file, err)
	}
	return &c, nil
}

// locate finds the twin.json of path: the file itself or the one in a directory.
func locate(path string) (string, error) {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("%s does not exist (give the twin.json or the report directory of a run against a real target)", path)
	}
	if err != nil {
		return "", fmt.Errorf("%s is unreadable: %w", path, err)
	}
	if !st.IsDir() {
		return path, nil
	}
	file := filepath.Join(path, File)
	if _, err := os.Stat(file); errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("%s holds no %s: only a run against a real target (OPPWA_BASE_URL) writes one", path, File)
	}
	return file, nil
}

// check refuses what a sandbox cannot start from; its errors follow the file name.
func (c *Calibration) check() error {
	switch {
	case c.Format != Format:
		return fmt.Errorf("is not an account calibration (format %q, want %q)", c.Format, Format)
	case c.Version > Version:
		return fmt.Errorf("is calibration format %d, newer than this suite reads (%d): update the suite", c.Version, Version)
	case c.Version != Version:
		return fmt.Errorf("is calibration format %d; this suite reads format %d: calibrate again with a run against the account", c.Version, Version)
	case c.Target.Embedded:
		return errors.New("was made against the embedded sandbox itself: calibrate from a run against a real target (OPPWA_BASE_URL)")
	case c.Target.BaseURL == "" || c.Run.ID == "":
		return errors.New("names no target or run: it is not a calibration a run wrote")
	case len(c.Account.Brands) == 0:
		return errors.New("names no brand the account pays with")
	}
	return c.checkBrands()
}

// checkBrands refuses a brand the fixtures do not know, wherever the file names one.
func (c *Calibration) checkBrands() error {
	names := append([]string(nil), c.Account.Brands...)
	for _, r := range c.Account.NotConfigured {
		names = append(names, r.Brand)
	}
	for _, r := range c.Results {
		names = append(names, r.Brand)
	}
	for b := range c.Redirects {
		names = append(names, b)
	}
	for b := range c.Returns {
		names = append(names, b)
	}
	contract := fixtures.Load()
	for _, n := range names {
		if _, ok := contract.Brand(n); !ok {
			return fmt.Errorf("names brand %q, which fixtures/brands.json does not know: calibrate again with this suite's brand names", n)
		}
	}
	return nil
}
