// cpuburn: a Go program that writes a real CPU profile of a long run for scripts/bench-pprof.
//
//	go run cpuburn.go OUT.pb.gz SECONDS [HZ]
//
// Many goroutines serve "requests" under pprof.Do labels (handler, request id, tenant), each
// through a middleware chain and a recursive descent whose path depends on the request, down
// to recursive, map-heavy, sorting and hashing work. The profile thus has runtime frames,
// inlined calls, deep stacks (up to Go's 64-frame limit), many distinct stacks and a label set
// per request, as a busy service's profile does: Go writes one sample record per distinct
// (stack, labels), so nearly every sample is its own record.
//
// HZ (default 250, Go's default is 100): Go's CPU timers fire on the kernel's tick, so a rate
// above CONFIG_HZ (250 on the bench machine) yields no more samples, while the profile would
// still count each sample as 1/HZ s. The size therefore grows with SECONDS × cores only.
package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

func fib(n int) int {
	if n < 2 {
		return n
	}
	return fib(n-1) + fib(n-2)
}

func walk(depth, width int, acc map[string]int) {
	if depth == 0 {
		acc[strconv.Itoa(width)]++
		return
	}
	for i := 0; i < 2; i++ {
		walk(depth-1, width*2+i, acc)
	}
}

func sortWork(n int) int {
	xs := make([]int, n)
	for i := range xs {
		xs[i] = (i * 7919) % n
	}
	sort.Ints(xs)
	return xs[n/2]
}

func hashWork(n int) byte {
	var sum [32]byte
	buf := make([]byte, 4096)
	for i := 0; i < n; i++ {
		buf[i%4096] = byte(i)
		sum = sha256.Sum256(buf)
	}
	return sum[0]
}

// leaf does one request's real work, chosen by the request.
func leaf(req int) int {
	switch req % 4 {
	case 0:
		return fib(18 + req%4)
	case 1:
		acc := map[string]int{}
		walk(9+req%3, 1, acc)
		return len(acc)
	case 2:
		return sortWork(2000 + req%1000)
	default:
		return int(hashWork(8 + req%8))
	}
}

// The descent: four functions that call each other by the bits of the request's path, so
// requests with different paths have different stacks.

//go:noinline
func stepA(path, depth, req int) int { return step(path, depth, req) + 1 }

//go:noinline
func stepB(path, depth, req int) int { return step(path, depth, req) + 2 }

//go:noinline
func stepC(path, depth, req int) int { return step(path, depth, req) + 3 }

//go:noinline
func stepD(path, depth, req int) int { return step(path, depth, req) + 4 }

func step(path, depth, req int) int {
	if depth == 0 {
		return leaf(req)
	}
	next := path >> 2
	switch path & 3 {
	case 0:
		return stepA(next, depth-1, req)
	case 1:
		return stepB(next, depth-1, req)
	case 2:
		return stepC(next, depth-1, req)
	default:
		return stepD(next, depth-1, req)
	}
}

// A middleware chain of fixed frames above the descent.

//go:noinline
func authenticate(req int) int { return authorize(req) }

//go:noinline
func authorize(req int) int { return rateLimit(req) }

//go:noinline
func rateLimit(req int) int { return decode(req) }

//go:noinline
func decode(req int) int {
	// Depth 16-47 (two frames a level) from the request's hash; the path's 62 bits choose the
	// first 31 levels, deeper ones repeat stepA.
	h := uint64(req) * 0x9E3779B97F4A7C15
	return step(int(h>>2), 16+int(h%32), req)
}

var handlers = []string{"/api/orders", "/api/users", "/api/search", "/api/report", "/healthz", "/api/cart"}

func worker(id int, deadline time.Time, next *int64, wg *sync.WaitGroup) {
	defer wg.Done()
	sink := 0
	for time.Now().Before(deadline) {
		req := int(atomic.AddInt64(next, 1))
		labels := pprof.Labels(
			"handler", handlers[req%len(handlers)],
			"request", strconv.Itoa(req),
			"tenant", "tenant-"+strconv.Itoa(req%50))
		pprof.Do(context.Background(), labels, func(context.Context) {
			sink += authenticate(req)
		})
	}
	_ = sink
}

func main() {
	if len(os.Args) != 3 && len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: cpuburn OUT SECONDS [HZ]")
		os.Exit(2)
	}
	secs, err := strconv.Atoi(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	hz := 250
	if len(os.Args) == 4 {
		if hz, err = strconv.Atoi(os.Args[3]); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
	f, err := os.Create(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	// Set before StartCPUProfile, which then keeps this rate (and prints that it cannot set 100).
	runtime.SetCPUProfileRate(hz)
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var wg sync.WaitGroup
	var next int64
	deadline := time.Now().Add(time.Duration(secs) * time.Second)
	for i := 0; i < 32; i++ {
		wg.Add(1)
		go worker(i, deadline, &next, &wg)
	}
	wg.Wait()
	pprof.StopCPUProfile()
	f.Close()
}
