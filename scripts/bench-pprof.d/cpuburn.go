// cpuburn: a Go program that writes a real CPU profile of a long run for scripts/bench-pprof.
//
//	go run cpuburn.go OUT.pb.gz SECONDS
//
// Several goroutines run recursive, map-heavy, sorting and hashing work, so the profile has
// runtime frames, inlined calls and many distinct stacks, as a real service's profile does.
package main

import (
	"crypto/sha256"
	"fmt"
	"os"
	"runtime/pprof"
	"sort"
	"strconv"
	"sync"
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

func worker(id int, deadline time.Time, wg *sync.WaitGroup) {
	defer wg.Done()
	sink := 0
	for time.Now().Before(deadline) {
		acc := map[string]int{}
		switch id % 4 {
		case 0:
			sink += fib(24)
		case 1:
			walk(14, 1, acc)
		case 2:
			sink += sortWork(20000)
		default:
			sink += int(hashWork(200))
		}
		sink += len(acc)
	}
	_ = sink
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: cpuburn OUT SECONDS")
		os.Exit(2)
	}
	secs, err := strconv.Atoi(os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	f, err := os.Create(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var wg sync.WaitGroup
	deadline := time.Now().Add(time.Duration(secs) * time.Second)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go worker(i, deadline, &wg)
	}
	wg.Wait()
	pprof.StopCPUProfile()
	f.Close()
}
