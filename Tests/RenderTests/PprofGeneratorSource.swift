/// A Go program that writes a random profile with pprof's own `profile` package (the copy
/// vendored in the Go toolchain) together with a line-based description of the same profile
/// that `PprofCompatibilityTests` rebuilds with `ProfileBuilder`.
///
/// Usage: `gen SEED SCALE OUT.pb.gz OUT.spec`. The profiles have several mappings, functions
/// that share a name, inline frames, address-only locations, recursion and two value columns.
enum PprofGeneratorSource {
  static let goMod = """
    module pprofgen

    go 1.19

    """

  static let mainGo = #"""
    package main

    import (
    	"fmt"
    	"math/rand"
    	"os"
    	"strconv"

    	"pprofgen/profile"
    )

    func main() {
    	seed, _ := strconv.Atoi(os.Args[1])
    	scale, _ := strconv.Atoi(os.Args[2])
    	r := rand.New(rand.NewSource(int64(seed)))
    	spec, _ := os.Create(os.Args[4])
    	defer spec.Close()
    	nm := 1 + r.Intn(3)
    	var maps []*profile.Mapping
    	for i := 0; i < nm; i++ {
    		m := &profile.Mapping{ID: uint64(i + 1), Start: uint64(0x100000 * (i + 1)), Limit: uint64(0x100000*(i+1) + 0xfff), File: fmt.Sprintf("/lib/m%d.so", i), HasFunctions: true}
    		maps = append(maps, m)
    		fmt.Fprintf(spec, "M %d %s\n", m.ID, m.File)
    	}
    	nf := 3*scale + r.Intn(12*scale)
    	var fns []*profile.Function
    	for i := 0; i < nf; i++ {
    		f := &profile.Function{ID: uint64(i + 1), Name: fmt.Sprintf("fn%d", i%(nf-1)), SystemName: fmt.Sprintf("sys%d", i), Filename: fmt.Sprintf("src/f%d.c", r.Intn(4)), StartLine: int64(r.Intn(5))}
    		if r.Intn(6) == 0 {
    			f.Filename = ""
    		}
    		fns = append(fns, f)
    		file := f.Filename
    		if file == "" {
    			file = "-"
    		}
    		fmt.Fprintf(spec, "F %d %s %s %s %d\n", f.ID, f.Name, f.SystemName, file, f.StartLine)
    	}
    	nl := 3*scale + r.Intn(15*scale)
    	var locs []*profile.Location
    	for i := 0; i < nl; i++ {
    		m := maps[r.Intn(nm)]
    		l := &profile.Location{ID: uint64(i + 1), Mapping: m, Address: m.Start + uint64(r.Intn(0xfff))}
    		nlines := 1
    		if r.Intn(3) == 0 {
    			nlines = 2 + r.Intn(2)
    		}
    		if r.Intn(10) == 0 {
    			nlines = 0
    		}
    		s := ""
    		for k := 0; k < nlines; k++ {
    			f := fns[r.Intn(nf)]
    			ln := int64(1 + r.Intn(20))
    			l.Line = append(l.Line, profile.Line{Function: f, Line: ln})
    			s += fmt.Sprintf("%d:%d,", f.ID, ln)
    		}
    		if s == "" {
    			s = "-"
    		}
    		locs = append(locs, l)
    		fmt.Fprintf(spec, "L %d %d %d %s\n", l.ID, m.ID, l.Address, s)
    	}
    	p := &profile.Profile{
    		SampleType: []*profile.ValueType{{Type: "samples", Unit: "count"}, {Type: "cpu", Unit: "nanoseconds"}},
    		Mapping:    maps, Function: fns, Location: locs,
    	}
    	ns := 1 + r.Intn(40*scale*scale)
    	for i := 0; i < ns; i++ {
    		d := 1 + r.Intn(8*scale)
    		var st []*profile.Location
    		s := ""
    		for k := 0; k < d; k++ {
    			l := locs[r.Intn(nl)]
    			st = append(st, l)
    			s += fmt.Sprintf("%d,", l.ID)
    		}
    		c := int64(1 + r.Intn(100))
    		v := c * int64(1+r.Intn(3)) * 1000000 * int64([]int{1, 10, 100}[r.Intn(3)])
    		p.Sample = append(p.Sample, &profile.Sample{Location: st, Value: []int64{c, v}})
    		fmt.Fprintf(spec, "S %d %d %s\n", c, v, s)
    	}
    	f, _ := os.Create(os.Args[3])
    	if err := p.Write(f); err != nil {
    		panic(err)
    	}
    	f.Close()
    }

    """#
}
