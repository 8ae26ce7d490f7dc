// gowaits: off-CPU ground truth for Go. main computes in spin (a fixed amount of work, about
// 300 ms of CPU, however loaded the machine), then waits ~300 ms
// in waitChannel for a value a goroutine sends after sleeping, then blocks ~200 ms in
// readPipe reading a blocking pipe (a syscall on its own thread, outside the netpoller)
// that a goroutine writes after 200 ms.
package main

import (
	"fmt"
	"os"
	"syscall"
	"time"
)

var sink uint64

//go:noinline
func spin(rounds int) {
	x := uint64(17)
	for r := 0; r < rounds; r++ {
		for i := 0; i < 100000; i++ {
			x = x*6364136223846793005 + 1442695040888963407
			x ^= x >> 29
		}
	}
	sink += x
}

//go:noinline
func waitChannel(d time.Duration) int {
	c := make(chan int)
	go func() {
		time.Sleep(d)
		c <- 1
	}()
	return <-c
}

//go:noinline
func readPipe(d time.Duration) int {
	var fds [2]int
	if err := syscall.Pipe(fds[:]); err != nil {
		panic(err)
	}
	r := os.NewFile(uintptr(fds[0]), "pipe-r") // a blocking descriptor: the read blocks in the kernel
	go func() {
		time.Sleep(d)
		syscall.Write(fds[1], []byte{'x'})
	}()
	buf := make([]byte, 1)
	n, err := r.Read(buf)
	if err != nil {
		panic(err)
	}
	return n
}

func main() {
	spin(1500)
	n := waitChannel(300 * time.Millisecond)
	n += readPipe(200 * time.Millisecond)
	fmt.Println("gowaits done", n, sink&0xff)
}
