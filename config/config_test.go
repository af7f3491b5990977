package config

import (
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// env is a process environment holding m's variables; an empty value is set and empty.
func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// An explicitly empty variable wins over .env, as every set variable does: the
// README's OPPWA_BASE_URL= make test runs the embedded sandbox beside a real .env.
func TestExplicitlyEmptyVariableWinsOverDotenv(t *testing.T) {
	dir := t.TempDir()
	_ = os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module x\n"), 0o644)
	_ = os.WriteFile(filepath.Join(dir, ".env"), []byte("OPPWA_BASE_URL=https://eu-test.oppwa.com/\nOPPWA_CURRENCY=GBP\n"+
		"OPPWA_ENTITY_ID=8a8294174b7ecb28014b9699220015cb\nOPPWA_ACCESS_TOKEN=account-token\n"), 0o644)
	tg, err := Load(env(map[string]string{"OPPWA_BASE_URL": ""}), dir)
	if err != nil || !tg.Embedded() || tg.Currency != "GBP" || tg.AccessToken == "account-token" {
		t.Fatalf("embedded %v, currency %s, err %v: want the embedded sandbox, GBP from .env", tg.Embedded(), tg.Currency, err)
	}
	if tg, err = Load(env(nil), dir); err != nil || tg.BaseURL != "https://eu-test.oppwa.com/" || tg.AccessToken != "account-token" {
		t.Fatalf("unset: %s %v: want .env's account", tg.BaseURL, err)
	}
}

// The embedded sandbox's modes are checked at load, naming the list of modes.
func TestUnknownDefectModeIsAConfigurationError(t *testing.T) {
	_, err := Load(env(map[string]string{"OPPWA_SANDBOX_DEFECTS": "status-stuck-pending, no-such-mode"}), t.TempDir())
	if err == nil || !strings.Contains(err.Error(), `unknown mode "no-such-mode"`) || !strings.Contains(err.Error(), "-defect list") {
		t.Fatalf("got %v", err)
	}
}

func TestDefaultsToTheEmbeddedSandbox(t *testing.T) {
	tg, err := Load(env(nil), t.TempDir())
	if err != nil || !tg.Embedded() || tg.Currency != "EUR" || len(tg.Brands) != 41 || tg.AccessToken == "" {
		t.Fatalf("%+v %v", tg, err)
	}
}

func TestBadInputIsOneLineNamingTheFix(t *testing.T) {
	real := map[string]string{"OPPWA_BASE_URL": "https://eu-test.oppwa.com", "OPPWA_ENTITY_ID": "8a8294174b7ecb28014b9699220015ca", "OPPWA_ACCESS_TOKEN": "tok"}
	with := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range real {
			m[a] = b
		}
		m[k] = v
		return m
	}
	for name, tc := range map[string]struct {
		env  map[string]string
		want string
	}{
		"missing token":      {with("OPPWA_ACCESS_TOKEN", ""), "OPPWA_ACCESS_TOKEN is empty"},
		"missing entity":     {with("OPPWA_ENTITY_ID", ""), "OPPWA_ENTITY_ID is empty"},
		"malformed entity":   {with("OPPWA_ENTITY_ID", "xyz"), "32 lowercase hex"},
		"malformed base URL": {with("OPPWA_BASE_URL", "eu-test.oppwa.com"), "set OPPWA_BASE_URL like"},
		"production host":    {with("OPPWA_BASE_URL", "https://eu-prod.oppwa.com/"), "OPPWA_ALLOW_LIVE=yes"},
		"unknown host":       {with("OPPWA_BASE_URL", "https://pay.example.net/"), "OPPWA_TEST_ENDPOINT=yes"},
		"unknown brand":      {with("OPPWA_BRANDS", "VISA,NOPE"), `unknown brand "NOPE"`},
		"brand without data": {with("OPPWA_BRANDS", "VISA,AIRPLUS"), "OPPWA_BRANDS names AIRPLUS, which the suites cannot pay with"},
		"bad currency":       {with("OPPWA_CURRENCY", "euro"), "three capital letters"},
		"half other":         {with("OPPWA_OTHER_ENTITY_ID", "8a8294174b7ecb28014b9699220015ca"), "OPPWA_OTHER_ACCESS_TOKEN"},
		"forgotten base":     {with("OPPWA_BASE_URL", ""), "OPPWA_BASE_URL is empty"},
		"bad webhook key":    {with("OPPWA_WEBHOOK_KEY", "abc"), "OPPWA_WEBHOOK_KEY is not 64 hex characters"},
		"half webhook":       {with("OPPWA_WEBHOOK_KEY", strings.Repeat("ab", 32)), "set both OPPWA_WEBHOOK_URL and OPPWA_WEBHOOK_KEY"},
		"bad webhook URL":    {with("OPPWA_WEBHOOK_URL", "hooks.example.net/x"), "OPPWA_WEBHOOK_URL"},
		"bad webhook addr":   {with("OPPWA_WEBHOOK_ADDR", "8089"), "OPPWA_WEBHOOK_ADDR"},
		"path in base URL":   {with("OPPWA_BASE_URL", "https://eu-test.oppwa.com/v1/"), "has a path (/v1/): set it to the platform's root, https://eu-test.oppwa.com/"},
		"plain http":         {with("OPPWA_BASE_URL", "http://eu-test.oppwa.com/"), "use https://eu-test.oppwa.com/"},
		"missing CHROME_BIN": {with("CHROME_BIN", "/nonexistent/chromium"), `CHROME_BIN="/nonexistent/chromium" is not an executable program`},
	} {
		_, err := Load(env(tc.env), t.TempDir())
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: got %v, want one line containing %q", name, err, tc.want)
		}
	}
	if tg, err := Load(env(with("OPPWA_BASE_URL", "https://eu-prod.oppwa.com/")), t.TempDir()); err == nil {
		t.Fatalf("live host accepted: %+v", tg)
	}
	m := with("OPPWA_BASE_URL", "https://eu-prod.oppwa.com")
	m["OPPWA_ALLOW_LIVE"] = "yes"
	if tg, err := Load(env(m), t.TempDir()); err != nil || tg.BaseURL != "https://eu-prod.oppwa.com/" {
		t.Fatalf("explicit opt-in refused: %v", err)
	}
}

func TestDotenvIsReadAndTheRealEnvironmentWins(t *testing.T) {
	dir := t.TempDir()
	_ = os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module x\n"), 0o644)
	_ = os.WriteFile(filepath.Join(dir, ".env"), []byte("OPPWA_CURRENCY=USD\nOPPWA_BRANDS=VISA,PAYPAL\n"), 0o644)
	sub := filepath.Join(dir, "suites")
	_ = os.Mkdir(sub, 0o755)
	tg, err := Load(env(map[string]string{"OPPWA_CURRENCY": "GBP"}), sub)
	if err != nil || tg.Currency != "GBP" || strings.Join(tg.Brands, ",") != "VISA,PAYPAL" {
		t.Fatalf("%+v %v", tg, err)
	}
	_ = os.WriteFile(filepath.Join(dir, ".env"), []byte("OPPWA_CURRENCY='USD\n"), 0o644)
	_, err = Load(env(nil), sub)
	if err == nil || !strings.Contains(err.Error(), ".env.example") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("malformed .env: %v", err)
	}
}

func TestCapabilitiesAreDeclaredOnARealAccountAndAllOnTheSandbox(t *testing.T) {
	sb, err := Load(env(map[string]string{"OPPWA_ENV_FILE": "/dev/null"}), t.TempDir())
	if err != nil || !sb.Has(ThreeDS) || !sb.Has(Reporting) || !sb.Has(SecondMerchant) {
		t.Fatalf("the embedded sandbox must have every capability: %v", err)
	}
	real := map[string]string{"OPPWA_ENV_FILE": "/dev/null", "OPPWA_BASE_URL": "https://eu-test.oppwa.com/",
		"OPPWA_ENTITY_ID": "8a8294174b7ecb28014b9699220015ca", "OPPWA_ACCESS_TOKEN": "tok", "OPPWA_3DS": "yes"}
	acct, err := Load(env(real), t.TempDir())
	if err != nil || !acct.Has(ThreeDS) || acct.Has(Reporting) || acct.Has(SecondMerchant) {
		t.Fatalf("declared 3DS only: 3ds=%v reporting=%v second=%v err=%v", acct.Has(ThreeDS), acct.Has(Reporting), acct.Has(SecondMerchant), err)
	}
	real["OPPWA_REPORTING"] = "maybe"
	if _, err := Load(env(real), t.TempDir()); err == nil || !strings.Contains(err.Error(), "OPPWA_REPORTING") {
		t.Fatalf("an unknown capability value must name the variable: %v", err)
	}
}

// Webhooks is the Webhook capability: every target that has one can check them.
func TestWebhooksAreTheWebhookCapability(t *testing.T) {
	real := map[string]string{"OPPWA_ENV_FILE": "/dev/null", "OPPWA_BASE_URL": "https://eu-test.oppwa.com/",
		"OPPWA_ENTITY_ID": "8a8294174b7ecb28014b9699220015ca", "OPPWA_ACCESS_TOKEN": "tok"}
	hook := maps.Clone(real)
	hook["OPPWA_WEBHOOK_URL"], hook["OPPWA_WEBHOOK_KEY"] = "https://hooks.example.net/x", strings.Repeat("ab", 32)
	for name, tc := range map[string]struct {
		env  map[string]string
		want bool
	}{
		"embedded sandbox":     {map[string]string{"OPPWA_ENV_FILE": "/dev/null"}, true},
		"account, no webhook":  {real, false},
		"account with webhook": {hook, true},
	} {
		tg, err := Load(env(tc.env), t.TempDir())
		if err != nil || tg.Webhooks() != tc.want || tg.Has(Webhook) != tc.want {
			t.Errorf("%s: Webhooks %v, Has(Webhook) %v, err %v; want %v", name, tg.Webhooks(), tg.Has(Webhook), err, tc.want)
		}
	}
}

func TestShopperPagesAreCheckedAtLoad(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "go.mod"), []byte("module x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	pages := filepath.Join(root, "pages")
	if err := os.Mkdir(pages, 0o755); err != nil {
		t.Fatal(err)
	}
	good := `{"scripts":[{"name":"my-bank","step":"bank","match":{"selector":"#go"},"actions":{"approve":[{"click":"#go"}]}}]}`
	if err := os.WriteFile(filepath.Join(pages, "good.json"), []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(root, "suites")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	tg, err := Load(env(map[string]string{"OPPWA_SHOPPER_PAGES": "pages"}), sub)
	if err != nil || tg.ShopperPages != pages {
		t.Fatalf("relative to the module root: %q, %v", tg.ShopperPages, err)
	}
	bad := `{"scripts":[{"name":"x","step":"bank","match":{}}]}`
	if err := os.WriteFile(filepath.Join(pages, "x.json"), []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Load(env(map[string]string{"OPPWA_SHOPPER_PAGES": "pages"}), sub)
	want := "OPPWA_SHOPPER_PAGES: pages/x.json: scripts[0].match: needs url, selector or title"
	if err == nil || err.Error() != want {
		t.Errorf("malformed script: %v, want %s", err, want)
	}
	broken := `{"scripts":[{"name":"x","step":"bank","match":{"url":"bank"},"actions":{"approve":[{"click":"button[type=submit"}]}}]}`
	if err := os.WriteFile(filepath.Join(pages, "x.json"), []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Load(env(map[string]string{"OPPWA_SHOPPER_PAGES": "pages"}), sub)
	want = `OPPWA_SHOPPER_PAGES: pages/x.json: scripts[0].actions.approve[0]: click "button[type=submit" is not a CSS selector: at character 19: unclosed [`
	if err == nil || err.Error() != want {
		t.Errorf("broken selector: %v, want %s", err, want)
	}
}

// Every variable the configuration reads is in Variables, and every one of those is
// named in .env.example and the README, so a user can find any setting.
func TestEveryVariableIsDocumented(t *testing.T) {
	wd, _ := os.Getwd()
	root, _ := ModuleRoot(wd)
	var src strings.Builder
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if !strings.HasSuffix(f, "_test.go") {
			b, _ := os.ReadFile(f)
			src.Write(b)
		}
	}
	documented := map[string]bool{}
	for _, v := range Variables {
		documented[v.Name] = true
	}
	read := regexp.MustCompile(`(?:get|lookup)\("([A-Z0-9_]+)"\)|\{\w+, "(OPPWA_[A-Z0-9_]+)"\}`)
	for _, m := range read.FindAllStringSubmatch(src.String(), -1) {
		name := m[1] + m[2]
		if !documented[name] && name != "OPPWA_PROCESS_RPS" { // set by the runner for its processes
			t.Errorf("config reads %s, which Variables does not list", name)
		}
	}
	example, _ := os.ReadFile(filepath.Join(root, ".env.example"))
	readme, _ := os.ReadFile(filepath.Join(root, "README.md"))
	for name := range documented {
		if !strings.Contains(string(example), name) {
			t.Errorf("%s is not in .env.example", name)
		}
		if !strings.Contains(string(readme), "`"+name+"`") {
			t.Errorf("%s is not in the README", name)
		}
	}
}

// nightlyExempt are the variables the nightly workflow need not take from the
// repository, and why.
var nightlyExempt = map[string]string{
	"OPPWA_ENV_FILE": "environment only, and CI has no .env to choose",
	// OPPWA_REPORT_DIR the workflow sets itself (one directory per shard), so it is
	// named there all the same.
}

// Every variable the configuration reads reaches the nightly workflow's shards, so
// the nightly certifies what the account declared: secrets for credentials and keys,
// repository variables for the rest. The embedded sandbox's knobs are exempt (the
// nightly runs against a real account), as is what nightlyExempt lists.
func TestEveryVariableReachesTheNightly(t *testing.T) {
	wd, _ := os.Getwd()
	root, _ := ModuleRoot(wd)
	b, err := os.ReadFile(filepath.Join(root, ".github", "workflows", "nightly.yml"))
	if err != nil {
		t.Fatal(err)
	}
	wf := string(b)
	for _, v := range Variables {
		if strings.HasPrefix(v.Doc, "embedded sandbox only") || nightlyExempt[v.Name] != "" {
			continue
		}
		m := regexp.MustCompile(`(?m)^\s+` + v.Name + `:\s*(.*)$`).FindStringSubmatch(wf)
		if m == nil {
			t.Errorf("nightly.yml does not pass %s to the shards", v.Name)
			continue
		}
		secret := strings.Contains(v.Name, "TOKEN") || strings.Contains(v.Name, "_KEY")
		if secret && !strings.Contains(m[1], "secrets."+v.Name) {
			t.Errorf("nightly.yml passes %s as %s: take it from secrets.%s", v.Name, m[1], v.Name)
		}
	}
	// The runner itself reads FAIL_ON_DRIFT (the merge job's comparison).
	if !strings.Contains(wf, "FAIL_ON_DRIFT: ${{ vars.FAIL_ON_DRIFT }}") {
		t.Error("nightly.yml does not pass FAIL_ON_DRIFT to the merge")
	}
}

// A misspelt setting is refused, naming the one meant; other names pass.
func TestMisspeltSettingsAreRefused(t *testing.T) {
	for names, want := range map[string]string{
		"OPPWA_SANDBOX_TWN": "did you mean OPPWA_SANDBOX_TWIN?",
		"OPPWA_BASEURL":     "did you mean OPPWA_BASE_URL?",
		"CHROME_BINN":       "did you mean CHROME_BIN?",
		"OPPWA_BASE_URL,PATH,OPPWA_RUN_ID,OPPWA_SANDBOX_ADDR,OPPWA_SOMETHING_ELSE_ENTIRELY": "",
	} {
		err := CheckNames(strings.Split(names, ","), "the environment")
		if (want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), want)) {
			t.Errorf("%s: %v, want %q", names, err, want)
		}
	}
	dir := t.TempDir()
	env := filepath.Join(dir, ".env")
	if err := os.WriteFile(env, []byte("OPPWA_BRAND=VISA\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Load(func(k string) (string, bool) {
		if k == "OPPWA_ENV_FILE" {
			return env, true
		}
		return "", false
	}, dir)
	if err == nil || !strings.Contains(err.Error(), env+" sets OPPWA_BRAND") || !strings.Contains(err.Error(), "OPPWA_BRANDS") {
		t.Errorf(".env with OPPWA_BRAND: %v", err)
	}
}
