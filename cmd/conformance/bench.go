package main

import "context"

func runBench(ctx context.Context, args []string) error {
	return &exitError{exitConfig, "bench: not built yet"}
}
