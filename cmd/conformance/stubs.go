package main

import "context"

func runMutation(ctx context.Context, args []string) error {
	return &exitError{exitConfig, "mutation: not built yet"}
}

func runCatalogue(ctx context.Context, args []string) error {
	return &exitError{exitConfig, "catalogue: not built yet"}
}

func runBench(ctx context.Context, args []string) error {
	return &exitError{exitConfig, "bench: not built yet"}
}
