package sandbox

import (
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// params are the request parameters in the order the client sent them. The platform
// reads POST parameters from the body only and GET parameters from the query string, so
// one parser serves both. A repeated key keeps its first value. Lookups scan the short
// slice; an index map is built only for unusually long requests.
type params struct {
	keys, vals []string
	index      map[string]int
}

// maxParams bounds the work one body can cause; the body cap already limits its size.
const maxParams = 2000

// indexFrom is the parameter count above which lookups use a map.
const indexFrom = 48

// parseForm decodes an application/x-www-form-urlencoded string. Pairs whose escapes
// are malformed are skipped rather than failing the whole request: the validation step
// then reports whatever required parameter is missing, in the platform's own envelope.
func parseForm(s string) params {
	var p params
	n := strings.Count(s, "&") + 1
	p.keys = make([]string, 0, min(n, maxParams))
	p.vals = make([]string, 0, min(n, maxParams))
	for s != "" && len(p.keys) < maxParams {
		var pair string
		pair, s, _ = strings.Cut(s, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		k, ok1 := unescape(k)
		v, ok2 := unescape(v)
		if !ok1 || !ok2 || k == "" || p.has(k) {
			continue
		}
		p.keys = append(p.keys, k)
		p.vals = append(p.vals, v)
		if p.index != nil {
			p.index[k] = len(p.keys) - 1
		} else if len(p.keys) > indexFrom {
			p.index = make(map[string]int, 2*len(p.keys))
			for i, key := range p.keys {
				p.index[key] = i
			}
		}
	}
	return p
}

func unescape(s string) (string, bool) {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return s, true
	}
	u, err := url.QueryUnescape(s)
	return u, err == nil
}

func (p params) find(k string) int {
	if p.index != nil {
		if i, ok := p.index[k]; ok {
			return i
		}
		return -1
	}
	for i, key := range p.keys {
		if key == k {
			return i
		}
	}
	return -1
}

// get returns a parameter's value ("" when absent).
func (p params) get(k string) string {
	if i := p.find(k); i >= 0 {
		return p.vals[i]
	}
	return ""
}

// has reports whether the parameter was sent at all, even empty.
func (p params) has(k string) bool { return p.find(k) >= 0 }

// custom returns customParameters[name].
func (p params) custom(name string) string {
	for i, k := range p.keys {
		if n, ok := customName(k); ok && n == name {
			return p.vals[i]
		}
	}
	return ""
}

// anyWithPrefix reports whether some parameter starts with prefix.
func (p params) anyWithPrefix(prefix string) bool {
	for _, k := range p.keys {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

// node is one level of an echoed parameter block built from dotted and bracketed keys
// (customer.browser.language, cart.items[0].name).
type node struct {
	leaf  bool
	val   string
	isArr bool
	keys  []string
	kids  map[string]*node
}

// maxArrayIndex keeps a hostile cart.items[999999999] from costing anything.
const maxArrayIndex = 999

// segments splits "cart.items[0].name" into cart, items, [0], name. Bracketed
// segments are returned with their brackets so the caller knows they index.
func segments(key string) []string {
	var out []string
	for key != "" {
		if key[0] == '[' {
			end := strings.IndexByte(key, ']')
			if end < 0 {
				return append(out, key)
			}
			out = append(out, key[:end+1])
			key = key[end+1:]
			key = strings.TrimPrefix(key, ".")
			continue
		}
		i := strings.IndexAny(key, ".[")
		if i < 0 {
			return append(out, key)
		}
		out = append(out, key[:i])
		key = key[i:]
		key = strings.TrimPrefix(key, ".")
	}
	return out
}

func (n *node) child(seg string) *node {
	if n.kids == nil {
		n.kids = make(map[string]*node)
	}
	c, ok := n.kids[seg]
	if !ok {
		c = &node{}
		n.kids[seg] = c
		n.keys = append(n.keys, seg)
	}
	return c
}

// set stores value under the path; a path that collides with an earlier leaf or
// object is dropped (first writer wins), never a panic.
func (n *node) set(segs []string, value string) {
	cur := n
	for i, s := range segs {
		name := s
		index := false
		if strings.HasPrefix(s, "[") && strings.HasSuffix(s, "]") {
			name = s[1 : len(s)-1]
			if k, err := strconv.Atoi(name); err == nil && k >= 0 && k <= maxArrayIndex && name == strconv.Itoa(k) {
				index = true
			}
		}
		if name == "" || cur.leaf {
			return
		}
		if len(cur.keys) == 0 {
			cur.isArr = index
		} else if cur.isArr != index {
			return
		}
		c := cur.child(name)
		if i == len(segs)-1 {
			if c.kids != nil || c.leaf {
				return
			}
			c.leaf, c.val = true, value
			return
		}
		cur = c
	}
}

func (n *node) render() any {
	if n.leaf {
		return n.val
	}
	if n.isArr {
		idx := make([]int, 0, len(n.keys))
		for _, k := range n.keys {
			i, _ := strconv.Atoi(k)
			idx = append(idx, i)
		}
		sort.Ints(idx)
		out := make([]any, 0, len(idx))
		for _, i := range idx {
			out = append(out, n.kids[strconv.Itoa(i)].render())
		}
		return out
	}
	o := make(document, 0, len(n.keys))
	for _, k := range n.keys {
		o = o.With(k, n.kids[k].render())
	}
	return o
}

// echoBlock builds the nested object the platform echoes for a parameter family, e.g.
// p.echoBlock("customer", nil) from customer.givenName and customer.browser.language;
// mask, when set, rewrites each value (by its key below the prefix). It returns nil
// when the request carried none.
func (p params) echoBlock(prefix string, mask func(key, v string) string) document {
	// Most blocks are flat (billing.city, customer.email): build them directly.
	var flat document
	nested := false
	for i, k := range p.keys {
		if len(k) <= len(prefix)+1 || !strings.HasPrefix(k, prefix) {
			continue
		}
		if k[len(prefix)] == '[' {
			nested = true
			break
		}
		if k[len(prefix)] != '.' {
			continue
		}
		name := k[len(prefix)+1:]
		if strings.ContainsAny(name, ".[]") {
			nested = true
			break
		}
		v := p.vals[i]
		if mask != nil {
			v = mask(k[len(prefix):], v)
		}
		flat = flat.With(name, v)
	}
	if !nested {
		return flat
	}
	var root node
	for i, k := range p.keys {
		if !strings.HasPrefix(k, prefix) || len(k) <= len(prefix) {
			continue
		}
		rest := k[len(prefix):]
		if rest[0] != '.' && rest[0] != '[' {
			continue
		}
		segs := segments(strings.TrimPrefix(rest, "."))
		if len(segs) == 0 {
			continue
		}
		v := p.vals[i]
		if mask != nil {
			v = mask(rest, v)
		}
		root.set(segs, v)
	}
	if len(root.keys) == 0 || root.isArr {
		return nil
	}
	o, _ := root.render().(document)
	return o
}

// customParameters echoes customParameters[NAME] as a flat object, like the platform.
func (p params) customParameters() document {
	var o document
	for i, k := range p.keys {
		if name, ok := customName(k); ok {
			o = o.With(name, p.vals[i])
		}
	}
	return o
}

func customName(k string) (string, bool) {
	const pre = "customParameters["
	if !strings.HasPrefix(k, pre) || !strings.HasSuffix(k, "]") || len(k) <= len(pre)+1 {
		return "", false
	}
	return k[len(pre) : len(k)-1], true
}
