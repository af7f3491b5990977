package config

import (
	"strings"
	"testing"
)

func realAccount(kv ...string) map[string]string {
	m := map[string]string{"OPPWA_ENV_FILE": "/dev/null", "OPPWA_BASE_URL": "https://eu-test.oppwa.com/",
		"OPPWA_ENTITY_ID": "8a8294174b7ecb28014b9699220015ca", "OPPWA_ACCESS_TOKEN": "tok"}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return m
}

func TestPaceDefaultsToFiveOnARealTargetAndNoneOnTheSandbox(t *testing.T) {
	for _, tc := range []struct {
		env         map[string]string
		max, shared float64
	}{
		{map[string]string{"OPPWA_ENV_FILE": "/dev/null"}, 0, 0},
		{map[string]string{"OPPWA_ENV_FILE": "/dev/null", "OPPWA_MAX_RPS": "2"}, 2, 2},
		{realAccount(), 5, 5},
		{realAccount("OPPWA_MAX_RPS", "off"), 0, 0},
		{realAccount("OPPWA_MAX_RPS", "0"), 0, 0},
		{realAccount("OPPWA_MAX_RPS", "7.5"), 7.5, 7.5},
		{realAccount("OPPWA_PROCESS_RPS", "2.5"), 5, 2.5},
	} {
		tg, err := Load(env(tc.env), t.TempDir())
		if err != nil || tg.MaxRPS != tc.max || tg.ProcessRate() != tc.shared {
			t.Errorf("%v: max %g, process %g, err %v; want %g and %g", tc.env, tg.MaxRPS, tg.ProcessRate(), err, tc.max, tc.shared)
		}
	}
	for _, v := range []string{"fast", "-1", "Inf", "NaN"} {
		_, err := Load(env(realAccount("OPPWA_MAX_RPS", v)), t.TempDir())
		if err == nil || !strings.Contains(err.Error(), "OPPWA_MAX_RPS") || strings.Contains(err.Error(), "\n") {
			t.Errorf("OPPWA_MAX_RPS=%s: %v, want one line naming the variable", v, err)
		}
	}
}

func TestBrandsDeclaredAndSandboxBrands(t *testing.T) {
	tg, err := Load(env(realAccount()), t.TempDir())
	if err != nil || tg.BrandsDeclared || len(tg.Brands) != 41 {
		t.Fatalf("undeclared: %v %d %v", tg.BrandsDeclared, len(tg.Brands), err)
	}
	tg, err = Load(env(realAccount("OPPWA_BRANDS", "visa,PAYPAL")), t.TempDir())
	if err != nil || !tg.BrandsDeclared || strings.Join(tg.Brands, ",") != "VISA,PAYPAL" {
		t.Fatalf("declared: %v %v %v", tg.BrandsDeclared, tg.Brands, err)
	}
	sb, err := Load(env(map[string]string{"OPPWA_ENV_FILE": "/dev/null", "OPPWA_SANDBOX_BRANDS": "visa, master"}), t.TempDir())
	if err != nil || strings.Join(sb.SandboxBrands, ",") != "VISA,MASTER" {
		t.Fatalf("sandbox brands: %v %v", sb.SandboxBrands, err)
	}
	for name, m := range map[string]map[string]string{
		"unknown sandbox brand":           {"OPPWA_ENV_FILE": "/dev/null", "OPPWA_SANDBOX_BRANDS": "VISA,NOPE"},
		"sandbox brands on a real target": realAccount("OPPWA_SANDBOX_BRANDS", "VISA"),
	} {
		if _, err := Load(env(m), t.TempDir()); err == nil || !strings.Contains(err.Error(), "OPPWA_SANDBOX_BRANDS") {
			t.Errorf("%s: %v, want an error naming OPPWA_SANDBOX_BRANDS", name, err)
		}
	}
}

func TestSandboxPages(t *testing.T) {
	tg, err := Load(env(map[string]string{"OPPWA_ENV_FILE": "/dev/null", "OPPWA_SANDBOX_PAGES": "Realistic"}), t.TempDir())
	if err != nil || tg.SandboxPages != "realistic" {
		t.Fatalf("realistic: %q %v", tg.SandboxPages, err)
	}
	for name, m := range map[string]map[string]string{
		"unknown mode":           {"OPPWA_ENV_FILE": "/dev/null", "OPPWA_SANDBOX_PAGES": "real"},
		"pages on a real target": realAccount("OPPWA_SANDBOX_PAGES", "realistic"),
	} {
		_, err := Load(env(m), t.TempDir())
		if err == nil || !strings.Contains(err.Error(), "OPPWA_SANDBOX_PAGES") || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v, want a one-line error naming OPPWA_SANDBOX_PAGES", name, err)
		}
	}
	if _, err := Load(env(map[string]string{"OPPWA_ENV_FILE": "/dev/null", "OPPWA_SANDBOX_PAGES": "real"}), t.TempDir()); err == nil || !strings.Contains(err.Error(), "default or realistic") {
		t.Errorf("allowed values not named: %v", err)
	}
}
