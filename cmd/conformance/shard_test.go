package main

import (
	"strings"
	"testing"
)

// The deal gives each shard about the same estimated cost, keeps specs that share an
// id together, sends specs without an id to shard 1, and is the same every time.
func TestShardsAreDealtByEstimatedCost(t *testing.T) {
	var specs []plannedSpec
	for _, id := range []string{"S2S-A", "S2S-B", "S2S-C", "S2S-D", "S2S-E", "S2S-F"} {
		specs = append(specs, plannedSpec{id: id, cost: 1})
	}
	specs = append(specs, plannedSpec{id: "S2S-ASYNC-X", cost: 4}, plannedSpec{id: "S2S-ASYNC-Y", cost: 4},
		plannedSpec{id: "S2S-A", cost: 1}, plannedSpec{id: "", cost: 1})
	shards := deal(specs, 2)
	cost := func(ids []string) (n int) {
		for _, id := range ids {
			for _, s := range specs {
				if s.id == id {
					n += s.cost
				}
			}
		}
		return n
	}
	c1, c2 := cost(shards[0])+1, cost(shards[1]) // shard 1 also runs the spec without an id
	if d := c1 - c2; d < -1 || d > 1 {
		t.Errorf("shards cost %d and %d: %v", c1, c2, shards)
	}
	if again := deal(specs, 2); strings.Join(again[0], ",") != strings.Join(shards[0], ",") {
		t.Errorf("two deals differ: %v and %v", shards, again)
	}
	f1, f2 := shardLabels("sync", shards, 1), shardLabels("sync", shards, 2)
	if !strings.HasPrefix(f1, "(sync) && (!(") || !strings.HasPrefix(f2, "(sync) && (id:") {
		t.Errorf("filters %q and %q", f1, f2)
	}
	if f := shardLabels("", [][]string{{"S2S-A"}, nil}, 2); f != "id:__none__" {
		t.Errorf("empty shard: %q", f)
	}
}
