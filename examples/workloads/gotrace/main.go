// gotrace: Go workloads whose traced numbers are known by construction, one per mode.
//
//	deep          50 goroutines × 2,001 recursive calls of main.deep (64-byte array per
//	              frame, so stacks grow): 100,050 calls every run
//	grow N        N goroutines each make one call of main.grow, whose 4 KiB frame does not
//	              fit the new goroutine's stack: N calls, N stack growths
//	timed N       N calls of main.timed spinning 50-500 µs; prints the in-process mean and P95
//	              of wall time (time.Now) and of the thread's CPU time (clock_gettime)
//	handoff N     4 goroutines (GOMAXPROCS=2) × N calls of main.relay, each blocking on a
//	              channel hand-off and yielding (runtime.Gosched) in the middle; prints the
//	              in-process wall mean and P95
//	panic N       N calls of main.guard, each calling main.risky, which panics every third
//	              call (recovered in guard): N guards, 2N/3 risky returns, N/3 panics
//	method N      N calls through a method value: main.(*counter).add-fm → main.(*counter).add
//	leaf N        N calls of the small main.leaf; prints the process's CPU time (user +
//	              system, so probe traps count) for the loop, for scripts/bench-gotrace
//
// Each mode prints one line `<mode> calls=<n> [mean_ns=<x> p95_ns=<y>]`, also written to
// the file $GOTRACE_OUT names, when set.
package main

import (
	"fmt"
	"os"
	"runtime"
	"sort"
	"strconv"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

var sink uint64

//go:noinline
func deep(n int) int {
	var pad [64]byte
	pad[n%64] = byte(n)
	if n == 0 {
		return int(pad[0])
	}
	return deep(n-1) + int(pad[n%64])
}

//go:noinline
func grow(n int) int {
	var pad [4096]byte
	pad[n%4096] = byte(n)
	return int(pad[(n*7)%4096])
}

// spin runs `iterations` rounds of a generator (perMicro rounds take about 1 µs).
//
//go:noinline
func spin(iterations int) uint64 {
	x := sink
	for i := 0; i < iterations; i++ {
		x = x*6364136223846793005 + 1442695040888963407
		x ^= x >> 29
	}
	return x
}

var perMicro = 1

// calibrate takes the fastest of five runs (a preempted run only looks slower).
func calibrate() {
	n := 1 << 18
	best := int64(1 << 62)
	for r := 0; r < 5; r++ {
		start := time.Now()
		sink += spin(n)
		if d := time.Since(start).Nanoseconds(); d < best {
			best = d
		}
	}
	perMicro = int(float64(n) / (float64(best) / 1000))
	if perMicro < 1 {
		perMicro = 1
	}
}

//go:noinline
func timed(i int) {
	sink += spin(perMicro * (50 + 50*(i%10)))
}

//go:noinline
func relay(i int, out chan<- int, back <-chan int) {
	sink += spin(perMicro * 40)
	out <- i
	<-back
	runtime.Gosched()
	sink += spin(perMicro * 40)
}

//go:noinline
func risky(n int) int {
	if n%3 == 0 {
		panic(n)
	}
	return n + 1
}

//go:noinline
func guard(n int) (r int) {
	defer func() {
		if recover() != nil {
			r = -1
		}
	}()
	return risky(n)
}

//go:noinline
func leaf(x uint64) uint64 {
	for i := 0; i < 20; i++ {
		x = x*6364136223846793005 + 1442695040888963407
	}
	return x
}

func cpuNanos() int64 {
	var u syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &u); err != nil {
		return 0
	}
	return u.Utime.Nano() + u.Stime.Nano()
}

// threadCPUNanos is the calling thread's CPU clock (CLOCK_THREAD_CPUTIME_ID).
func threadCPUNanos() int64 {
	var ts syscall.Timespec
	const clockThreadCPUTime = 3
	syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTime, uintptr(unsafe.Pointer(&ts)), 0)
	return ts.Nano()
}

type counter struct{ n int }

//go:noinline
func (c *counter) add(k int) int {
	c.n += k
	return c.n
}

func stats(d []int64) (int64, int64) {
	var sum int64
	for _, v := range d {
		sum += v
	}
	sort.Slice(d, func(a, b int) bool { return d[a] < d[b] })
	rank := (95*len(d) + 99) / 100
	if rank < 1 {
		rank = 1
	}
	return sum / int64(len(d)), d[rank-1]
}

func report(format string, args ...interface{}) {
	line := fmt.Sprintf(format, args...)
	fmt.Print(line)
	if path := os.Getenv("GOTRACE_OUT"); path != "" {
		if err := os.WriteFile(path, []byte(line), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}

func main() {
	mode := "deep"
	if len(os.Args) > 1 {
		mode = os.Args[1]
	}
	n := 1000
	if len(os.Args) > 2 {
		if v, err := strconv.Atoi(os.Args[2]); err == nil {
			n = v
		}
	}
	switch mode {
	case "deep":
		var wg sync.WaitGroup
		var mu sync.Mutex
		total := 0
		for g := 0; g < 50; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := deep(2000)
				mu.Lock()
				total += r
				mu.Unlock()
			}()
		}
		wg.Wait()
		report("deep calls=%d\n", 50*2001)
	case "grow":
		var wg sync.WaitGroup
		var total uint64
		var mu sync.Mutex
		for done := 0; done < n; {
			batch := 1000
			if n-done < batch {
				batch = n - done
			}
			wg.Add(batch)
			for g := 0; g < batch; g++ {
				go func(g int) {
					defer wg.Done()
					r := grow(g)
					mu.Lock()
					total += uint64(r)
					mu.Unlock()
				}(done + g)
			}
			wg.Wait()
			done += batch
		}
		sink += total
		report("grow calls=%d\n", n)
	case "timed":
		// On one thread, so the thread's CPU clock is the goroutine's.
		runtime.LockOSThread()
		calibrate()
		d := make([]int64, n)
		c := make([]int64, n)
		for i := 0; i < n; i++ {
			start := time.Now()
			cpu := threadCPUNanos()
			timed(i)
			c[i] = threadCPUNanos() - cpu
			d[i] = time.Since(start).Nanoseconds()
		}
		mean, p95 := stats(d)
		cpuMean, cpuP95 := stats(c)
		report("timed calls=%d mean_ns=%d p95_ns=%d cpu_mean_ns=%d cpu_p95_ns=%d\n", n, mean, p95, cpuMean, cpuP95)
	case "handoff":
		runtime.GOMAXPROCS(2)
		calibrate()
		const workers = 4
		d := make([]int64, workers*n)
		var wg sync.WaitGroup
		for w := 0; w < workers; w++ {
			out := make(chan int)
			back := make(chan int)
			go func() {
				for v := range out {
					back <- v
				}
			}()
			wg.Add(1)
			go func(w int) {
				defer wg.Done()
				for i := 0; i < n; i++ {
					start := time.Now()
					relay(i, out, back)
					d[w*n+i] = time.Since(start).Nanoseconds()
				}
				close(out)
			}(w)
		}
		wg.Wait()
		mean, p95 := stats(d)
		report("handoff calls=%d mean_ns=%d p95_ns=%d\n", workers*n, mean, p95)
	case "panic":
		s := 0
		for i := 0; i < n; i++ {
			s += guard(i)
		}
		sink += uint64(s)
		report("panic calls=%d panics=%d\n", n, (n+2)/3)
	case "method":
		c := &counter{}
		f := c.add
		for i := 0; i < n; i++ {
			f(i)
		}
		sink += uint64(c.n)
		report("method calls=%d\n", n)
	case "leaf":
		start := cpuNanos()
		x := uint64(0)
		for i := 0; i < n; i++ {
			x += leaf(uint64(i))
		}
		sink += x
		report("leaf calls=%d cpu_ns=%d\n", n, cpuNanos()-start)
	default:
		fmt.Fprintln(os.Stderr, "unknown mode", mode)
		os.Exit(2)
	}
}
