package main

import (
	"bytes"
	"net"
	"strings"
	"testing"
)

func TestBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-defect", "no-such-mode"},
		{"-latency", "soon"},
		{"-fail-503", "2"},
		{"-credentials", "nope"},
		{"extra-arg"},
	} {
		var out, errOut bytes.Buffer
		if err := run(args, &out, &errOut); err == nil {
			t.Errorf("%v: want an error", args)
		}
	}
}

func TestBusyPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var out, errOut bytes.Buffer
	err = run([]string{"-addr", ln.Addr().String()}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "address already in use") {
		t.Errorf("busy port: %v", err)
	}
}

func TestDefectList(t *testing.T) {
	var out, errOut bytes.Buffer
	if err := run([]string{"-defect", "list"}, &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "pan-echoed") || !strings.Contains(out.String(), "tolerate-latency") {
		t.Errorf("list: %s", out.String())
	}
}

func TestEnvDefects(t *testing.T) {
	t.Setenv("OPPWA_SANDBOX_DEFECTS", "bogus-mode")
	var out, errOut bytes.Buffer
	if err := run([]string{"-addr", "127.0.0.1:0"}, &out, &errOut); err == nil || !strings.Contains(err.Error(), "bogus-mode") {
		t.Errorf("env defects: %v", err)
	}
}
