package main

import (
	"bytes"
	"cmp"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The CPU budget of a bench run: where the CPU time of the run's processes goes.
// On a 2-core machine a full run is CPU-bound, so the wall time follows the CPU
// time; the budget says which process kind to cut.
//
// Every sampleInterval, and once more when the run ends, the sampler reads
// /proc/<pid>/stat (utime+stime) and /proc/<pid>/status (context switches) of
// every descendant of this process (the bench runs one suite run at a time, so
// its descendants are the run's process tree) and classifies each by its command
// line. A process's last sample stands for it: one that exits between two samples
// loses at most sampleInterval of its time. The kernel's account of reaped
// children (getrusage) cannot serve as the total: Chromium's processes outlive
// their parents and are reaped by init, so it misses most of their time.

// sampleInterval is how often the run's process tree is sampled.
const sampleInterval = 50 * time.Millisecond

// clockTick is the unit of utime and stime in /proc/<pid>/stat: USER_HZ, which
// Linux fixes at 100 for user space whatever the kernel's own tick.
const clockTick = 10 * time.Millisecond

// The process kinds of the budget.
const (
	kindBrowser  = "chromium: browser process"
	kindGPU      = "chromium: GPU process"
	kindRenderer = "chromium: renderers"
	kindNetwork  = "chromium: network service"
	kindUtility  = "chromium: zygote, other utilities"
	kindSpecs    = "spec processes (sandbox in process)"
	kindRunner   = "ginkgo CLI"
	kindBuild    = "build (go, compile, link)"
	kindOther    = "other processes"
)

// budgetKinds are the kinds in the order the budget lists them.
var budgetKinds = []string{kindBrowser, kindGPU, kindRenderer, kindNetwork, kindUtility,
	kindSpecs, kindRunner, kindBuild, kindOther}

// buildTools are the go command and the toolchain programs it starts; "go" also
// stands for `go tool ginkgo`, whose work is checking that the tool is built.
var buildTools = map[string]bool{"go": true, "compile": true, "link": true, "asm": true, "cgo": true,
	"vet": true, "cover": true, "gcc": true, "cc1": true, "as": true, "ld": true}

// procSample is the last sample of one process.
type procSample struct {
	kind       string
	looks      int   // samples taken
	ticks      int64 // utime+stime
	vol, invol int64 // context switches
}

// treeSampler samples the process tree below root until stop.
type treeSampler struct {
	root    int
	procs   map[int]*procSample // root's descendants, alive or exited
	foreign map[int]bool        // processes outside the tree
	stop    chan struct{}
	done    chan struct{}
	self    syscall.Rusage // this process at start: the sampling's own cost
}

// startSampler starts sampling this process's descendants.
func startSampler() *treeSampler {
	s := &treeSampler{root: os.Getpid(), procs: map[int]*procSample{}, foreign: map[int]bool{},
		stop: make(chan struct{}), done: make(chan struct{})}
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &s.self)
	s.scan() // everything alive now is outside the run
	for pid := range s.procs {
		delete(s.procs, pid)
		s.foreign[pid] = true
	}
	go s.loop()
	return s
}

func (s *treeSampler) loop() {
	defer close(s.done)
	t := time.NewTicker(sampleInterval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.scan()
		}
	}
}

// scan samples every process of the tree; a new process joins the tree when its
// parent is root or in the tree (parents have lower pids, so they are read first,
// except after the pids wrap around).
func (s *treeSampler) scan() {
	d, err := os.Open("/proc")
	if err != nil {
		return
	}
	names, _ := d.Readdirnames(-1)
	_ = d.Close()
	pids := make([]int, 0, len(names))
	for _, n := range names {
		if pid, err := strconv.Atoi(n); err == nil {
			pids = append(pids, pid)
		}
	}
	slices.Sort(pids)
	for _, pid := range pids {
		if s.foreign[pid] || pid == s.root {
			continue
		}
		st, ok := readStat(pid)
		if !ok {
			continue
		}
		p := s.procs[pid]
		if p == nil {
			if _, in := s.procs[st.ppid]; st.ppid != s.root && !in {
				s.foreign[pid] = true
				continue
			}
			p = &procSample{}
			s.procs[pid] = p
		}
		s.sample(pid, p, st.ticks)
	}
}

// classifyLooks is how many samples read a process's command line: a forked
// process execs (go → compile) or retitles itself (a zygote child becomes a
// renderer) just after it was first seen; after that the kind stays, and not
// reading Chromium's long command lines halves the sampling's cost.
const classifyLooks = 4

// sample updates p from the process's stat ticks, status and command line.
func (s *treeSampler) sample(pid int, p *procSample, ticks int64) {
	p.ticks = max(p.ticks, ticks)
	if vol, invol, ok := readSwitches(pid); ok {
		p.vol, p.invol = max(p.vol, vol), max(p.invol, invol)
	}
	if p.looks++; p.looks > classifyLooks {
		return
	}
	if b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/cmdline"); err == nil && len(b) > 0 {
		p.kind = classify(string(b))
	}
}

// statFields are the fields of /proc/<pid>/stat the sampler uses.
type statFields struct {
	ppid  int
	ticks int64 // utime+stime
}

// readStat reads a process's parent and CPU time; fields count from the one after
// the command name, which may itself hold spaces and parentheses.
func readStat(pid int) (statFields, bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return statFields{}, false
	}
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return statFields{}, false
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return statFields{}, false
	}
	ppid, _ := strconv.Atoi(f[1])
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return statFields{ppid: ppid, ticks: ut + st}, true
}

// readSwitches reads a process's voluntary and involuntary context switches.
func readSwitches(pid int) (vol, invol int64, ok bool) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0, 0, false
	}
	for line := range strings.Lines(string(b)) {
		k, v, _ := strings.Cut(line, ":")
		n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		switch k {
		case "voluntary_ctxt_switches":
			vol = n
		case "nonvoluntary_ctxt_switches":
			invol = n
		}
	}
	return vol, invol, true
}

// classify names a process's kind from its command line (arguments separated by
// NUL, or by spaces once Chromium retitled the process).
func classify(cmdline string) string {
	f := strings.Fields(strings.ReplaceAll(cmdline, "\x00", " "))
	if len(f) == 0 {
		return kindOther
	}
	base := filepath.Base(f[0])
	switch {
	case strings.Contains(base, "chrom") || strings.Contains(base, "headless_shell"):
		return chromiumKind(f)
	case strings.HasSuffix(base, ".test"):
		return kindSpecs
	case base == "ginkgo":
		return kindRunner
	case buildTools[base]:
		return kindBuild
	}
	return kindOther
}

// chromiumKind classifies a Chromium process by its --type: none is the browser
// process; a utility process is the network service when its sub-type says so.
func chromiumKind(args []string) string {
	typ, sub := "", ""
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, "--type="); ok {
			typ = v
		}
		if v, ok := strings.CutPrefix(a, "--utility-sub-type="); ok {
			sub = v
		}
	}
	switch {
	case typ == "":
		return kindBrowser
	case typ == "gpu-process":
		return kindGPU
	case typ == "renderer":
		return kindRenderer
	case typ == "utility" && strings.Contains(sub, "NetworkService"):
		return kindNetwork
	}
	return kindUtility
}

// cpuBudget is where one run's CPU time went. Seconds are CPU seconds.
type cpuBudget struct {
	Run   string  `json:"run"`
	WallS float64 `json:"wallS"`
	// CPUS is every process of the run (the kinds' sum).
	CPUS float64 `json:"cpuS"`
	// BusyPct is CPUS over the wall time times the cores: 100 is a saturated machine.
	BusyPct float64   `json:"busyPct"`
	Kinds   []kindCPU `json:"kinds"`
	// ChromiumS is the four Chromium kinds together; ChromiumMsPerBrowserSpec
	// divides it by the browser specs that ran (browser start-up included).
	ChromiumS                float64 `json:"chromiumS"`
	BrowserSpecs             int     `json:"browserSpecs"`
	ChromiumMsPerBrowserSpec float64 `json:"chromiumMsPerBrowserSpec"`
	// SandboxBusyS is the embedded sandbox's busy time (wall time serving requests),
	// summed over the processes: it runs inside the spec processes, so its CPU is
	// part of theirs and cannot be told apart by process.
	SandboxBusyS float64 `json:"sandboxBusyS"`
	// EndSkewS is how far apart the Ginkgo processes ended their last spec: time
	// one core idled while the other still worked.
	EndSkewS float64 `json:"endSkewS"`
	// Context switches of the whole run (the kinds' sum).
	VoluntarySwitches   int64 `json:"voluntarySwitches"`
	InvoluntarySwitches int64 `json:"involuntarySwitches"`
	// SamplerCPUS is what sampling cost this process: not in the run's figures,
	// but taken from the same cores.
	SamplerCPUS float64 `json:"samplerCpuS"`
}

// kindCPU is one process kind's share of a run.
type kindCPU struct {
	Name  string  `json:"name"`
	CPUS  float64 `json:"cpuS"`
	Pct   float64 `json:"pct"` // of the run's CPU
	Procs int     `json:"procs"`
	// Context switches, from the processes' last samples.
	Voluntary   int64 `json:"voluntary"`
	Involuntary int64 `json:"involuntary"`
}

// finish takes the last sample after the run ended and adds the figures up.
func (s *treeSampler) finish(run string, wall time.Duration, cores int) cpuBudget {
	close(s.stop)
	<-s.done
	s.scan()
	var self syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	b := cpuBudget{Run: run, WallS: round3(wall.Seconds()),
		SamplerCPUS: round3((cpuOf(self) - cpuOf(s.self)).Seconds())}
	byKind := map[string]*kindCPU{}
	for _, name := range budgetKinds {
		byKind[name] = &kindCPU{Name: name}
	}
	var total time.Duration
	for _, p := range s.procs {
		k := byKind[cmp.Or(p.kind, kindOther)] // a zombie when first seen has no command line
		d := time.Duration(p.ticks) * clockTick
		total += d
		k.CPUS += d.Seconds()
		k.Procs++
		k.Voluntary += p.vol
		k.Involuntary += p.invol
	}
	b.CPUS = round3(total.Seconds())
	if wall > 0 && cores > 0 {
		b.BusyPct = round3(100 * total.Seconds() / (wall.Seconds() * float64(cores)))
	}
	for _, name := range budgetKinds {
		k := *byKind[name]
		k.CPUS = round3(k.CPUS)
		if total > 0 {
			k.Pct = round3(100 * k.CPUS / total.Seconds())
		}
		if strings.HasPrefix(name, "chromium:") {
			b.ChromiumS += k.CPUS
		}
		b.VoluntarySwitches += k.Voluntary
		b.InvoluntarySwitches += k.Involuntary
		b.Kinds = append(b.Kinds, k)
	}
	b.ChromiumS = round3(b.ChromiumS)
	return b
}

// cpuOf is the user plus system time of a rusage.
func cpuOf(r syscall.Rusage) time.Duration {
	return time.Duration(r.Utime.Nano() + r.Stime.Nano())
}

// withSpecs adds the run's browser specs and sandbox busy time to the budget.
func (b cpuBudget) withSpecs(browserSpecs int, sandboxBusyMs float64) cpuBudget {
	b.BrowserSpecs = browserSpecs
	if browserSpecs > 0 {
		b.ChromiumMsPerBrowserSpec = round3(1000 * b.ChromiumS / float64(browserSpecs))
	}
	b.SandboxBusyS = round3(sandboxBusyMs / 1000)
	return b
}

// medianBudget is the budget of several runs of one kind, figure by figure: each
// figure is the median of its runs, so the kinds need not add up to the total
// exactly.
func medianBudget(bs []cpuBudget) cpuBudget {
	if len(bs) == 0 {
		return cpuBudget{}
	}
	m := func(get func(cpuBudget) float64) float64 {
		xs := make([]float64, len(bs))
		for i, b := range bs {
			xs[i] = get(b)
		}
		return round3(median(xs))
	}
	mi := func(get func(cpuBudget) int64) int64 {
		return int64(m(func(b cpuBudget) float64 { return float64(get(b)) }))
	}
	out := cpuBudget{Run: bs[0].Run, BrowserSpecs: bs[0].BrowserSpecs,
		WallS: m(func(b cpuBudget) float64 { return b.WallS }), CPUS: m(func(b cpuBudget) float64 { return b.CPUS }),
		BusyPct: m(func(b cpuBudget) float64 { return b.BusyPct }), ChromiumS: m(func(b cpuBudget) float64 { return b.ChromiumS }),
		ChromiumMsPerBrowserSpec: m(func(b cpuBudget) float64 { return b.ChromiumMsPerBrowserSpec }),
		SandboxBusyS:             m(func(b cpuBudget) float64 { return b.SandboxBusyS }),
		EndSkewS:                 m(func(b cpuBudget) float64 { return b.EndSkewS }),
		VoluntarySwitches:        mi(func(b cpuBudget) int64 { return b.VoluntarySwitches }),
		InvoluntarySwitches:      mi(func(b cpuBudget) int64 { return b.InvoluntarySwitches }),
		SamplerCPUS:              m(func(b cpuBudget) float64 { return b.SamplerCPUS })}
	for i, k := range bs[0].Kinds {
		k.CPUS = m(func(b cpuBudget) float64 { return b.Kinds[i].CPUS })
		k.Pct = m(func(b cpuBudget) float64 { return b.Kinds[i].Pct })
		k.Procs = int(m(func(b cpuBudget) float64 { return float64(b.Kinds[i].Procs) }))
		k.Voluntary = mi(func(b cpuBudget) int64 { return b.Kinds[i].Voluntary })
		k.Involuntary = mi(func(b cpuBudget) int64 { return b.Kinds[i].Involuntary })
		out.Kinds = append(out.Kinds, k)
	}
	return out
}
