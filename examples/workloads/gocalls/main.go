// gocalls: leaf() is called exactly 50,000 times: 30,000 from main and 5,000 from each of
// four goroutines. grow() recurses deeply so goroutine stacks move while probed.
package main

import (
	"fmt"
	"sync"
)

var sink uint64

//go:noinline
func leaf(x uint64) uint64 {
	for i := 0; i < 200; i++ {
		x = x*6364136223846793005 + 1442695040888963407
		x ^= x >> 29
	}
	return x
}

//go:noinline
func grow(depth int, x uint64) uint64 {
	var pad [64]uint64
	pad[depth%64] = x
	if depth == 0 {
		return leaf(x) + pad[0]
	}
	return grow(depth-1, x+1) + pad[depth%64]
}

func main() {
	var x uint64
	for i := 0; i < 29999; i++ {
		x += leaf(uint64(i))
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			var y uint64
			for i := 0; i < 5000; i++ {
				y += leaf(uint64(g*i))
			}
			mu.Lock()
			x += y
			mu.Unlock()
		}(g)
	}
	wg.Wait()
	x += grow(2000, x) // one more leaf() call, from a grown stack
	sink = x
	fmt.Println("gocalls done", sink&0xff)
}
