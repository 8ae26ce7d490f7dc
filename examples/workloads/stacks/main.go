// stacks: a workload shaped like `atmos describe stacks`. It generates a deterministic tree of
// YAML stack files (orgs × tenants × stages × regions) and a catalog of component defaults, then
// reads every file once (gopkg.in/yaml.v3), resolves each stack's imports depth-first, deep-merges
// the imported maps and the stack's own into one configuration per stack, and renders it —
// stacks spread over a pool of goroutines. It prints its own call counts, which are known by
// construction:
//
//	parseFile      = catalog files + stacks            (2,115 with the defaults)
//	processStack   = describeStack = resolveImports = stacks                (2,000)
//	collectImports = stacks × 14   (8 direct imports + the defaults each of 6 components imports)
//	mergeInto      = stacks × 10   (9 distinct imports + the stack itself)
//	deepMerge      = one call per map node merged (178,000 for the default 2,000 stacks; fixed data)
//
// With -rounds R the stacks are described R times (the catalog is still read once: parseFile =
// catalog + R × stacks, the others × R). -pprof ADDR serves net/http/pprof while it runs, like
// atmos's --profiler-enabled server mode.
//
// Usage: stacks [-dir DIR] [-stacks N] [-workers W] [-rounds R] [-pprof 127.0.0.1:6060]
package main

import (
	"crypto/sha256"
	"flag"
	"fmt"
	"net"
	"net/http"
	_ "net/http/pprof"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"gopkg.in/yaml.v3"
)

const (
	orgs       = 5
	tenants    = 10
	stages     = 4
	components = 20
	variants   = 5
	perStack   = 6 // component imports per stack
)

var regions = []string{"ue1", "ue2", "uw1", "uw2", "ew1", "ew2", "ec1", "an1", "as1", "ss1"}
var stageNames = []string{"dev", "staging", "prod", "sandbox"}

var (
	nParse, nProcess, nResolve, nCollect, nMerge, nDeep, nDescribe atomic.Int64
)

type config = map[string]interface{}

// ---- generating the tree ------------------------------------------------------------------

func write(root, rel, text string) {
	path := filepath.Join(root, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		fail(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		fail(err)
	}
}

func componentName(c int) string { return fmt.Sprintf("comp%02d", c) }

//go:noinline
func generateTree(root string, stacks int) {
	write(root, "catalog/defaults.yaml", `vars:
  namespace: eg
  enabled: true
  tags:
    managed_by: atmos
    team: platform
    cost_center: "1000"
settings:
  spacelift:
    workspace_enabled: true
    autodeploy: false
  validation:
    schema: jsonschema
`)
	for c := 0; c < components; c++ {
		for v := 0; v < variants; v++ {
			var b strings.Builder
			fmt.Fprintf(&b, "import:\n  - catalog/defaults\ncomponents:\n  terraform:\n    %s:\n", componentName(c))
			fmt.Fprintf(&b, "      metadata:\n        component: %s\n        variant: v%d\n", componentName(c), v)
			fmt.Fprintf(&b, "      vars:\n        enabled: true\n        name: %s\n        size: %d\n", componentName(c), 1+(c*7+v)%9)
			fmt.Fprintf(&b, "        tags:\n          component: %s\n          variant: v%d\n", componentName(c), v)
			fmt.Fprintf(&b, "        limits:\n          cpu: %dm\n          memory: %dMi\n", 100*(1+v), 128*(1+c%4))
			fmt.Fprintf(&b, "      settings:\n        spacelift:\n          workspace_enabled: %v\n", v%2 == 0)
			write(root, fmt.Sprintf("catalog/terraform/%s/v%d.yaml", componentName(c), v), b.String())
		}
	}
	for r, region := range regions {
		write(root, "mixins/region/"+region+".yaml", fmt.Sprintf(
			"vars:\n  region: %s\n  tags:\n    region: %s\n  availability_zones: [%sa, %sb, %sc]\nsettings:\n  region_index: %d\n",
			region, region, region, region, region, r))
	}
	for s, stage := range stageNames {
		write(root, "mixins/stage/"+stage+".yaml", fmt.Sprintf(
			"vars:\n  stage: %s\n  tags:\n    stage: %s\nsettings:\n  spacelift:\n    autodeploy: %v\n", stage, stage, s == 0))
	}
	for i := 0; i < stacks; i++ {
		org, tenant := i/(tenants*stages*len(regions))%orgs, i/(stages*len(regions))%tenants
		stage, region := i/len(regions)%stages, i%len(regions)
		var b strings.Builder
		fmt.Fprintf(&b, "import:\n  - mixins/region/%s\n  - mixins/stage/%s\n", regions[region], stageNames[stage])
		for k := 0; k < perStack; k++ {
			c := (i + k*3) % components
			fmt.Fprintf(&b, "  - catalog/terraform/%s/v%d\n", componentName(c), (i+k)%variants)
		}
		fmt.Fprintf(&b, "vars:\n  tenant: t%d\n  org: o%d\n  tags:\n    tenant: t%d\n", tenant, org, tenant)
		fmt.Fprintf(&b, "components:\n  terraform:\n")
		for k := 0; k < perStack; k += 2 {
			fmt.Fprintf(&b, "    %s:\n      vars:\n        size: %d\n        tags:\n          owner: team%d\n", componentName((i+k*3)%components), 1+i%5, i%7)
		}
		write(root, fmt.Sprintf("orgs/o%d/t%d/%s-%s.yaml", org, tenant, regions[region], stageNames[stage]), b.String())
	}
	write(root, ".complete", fmt.Sprintf("%d\n", stacks))
}

// ---- reading, resolving, merging ----------------------------------------------------------

type file struct {
	imports []string
	content config
}

//go:noinline
func parseFile(path string) file {
	nParse.Add(1)
	data, err := os.ReadFile(path)
	if err != nil {
		fail(err)
	}
	var doc config
	if err := yaml.Unmarshal(data, &doc); err != nil {
		fail(fmt.Errorf("%s: %w", path, err))
	}
	var f file
	if list, ok := doc["import"].([]interface{}); ok {
		for _, item := range list {
			f.imports = append(f.imports, fmt.Sprint(item))
		}
	}
	delete(doc, "import")
	f.content = doc
	return f
}

// collectImports appends the imports of `name` depth-first (its own imports before itself),
// each once per stack.
//
//go:noinline
func collectImports(catalog map[string]file, name string, seen map[string]bool, order *[]string) {
	nCollect.Add(1)
	if seen[name] {
		return
	}
	seen[name] = true
	f, ok := catalog[name]
	if !ok {
		fail(fmt.Errorf("import %q not found", name))
	}
	for _, next := range f.imports {
		collectImports(catalog, next, seen, order)
	}
	*order = append(*order, name)
}

//go:noinline
func resolveImports(catalog map[string]file, stack file) []string {
	nResolve.Add(1)
	seen := map[string]bool{}
	var order []string
	for _, name := range stack.imports {
		collectImports(catalog, name, seen, &order)
	}
	return order
}

// deepMerge merges src into dst: maps merge key by key, anything else replaces.
//
//go:noinline
func deepMerge(dst, src config) {
	nDeep.Add(1)
	for key, value := range src {
		if sm, ok := value.(config); ok {
			if dm, ok := dst[key].(config); ok {
				deepMerge(dm, sm)
				continue
			}
			copied := config{}
			deepMerge(copied, sm)
			dst[key] = copied
			continue
		}
		dst[key] = value
	}
}

//go:noinline
func mergeInto(result config, layer config) {
	nMerge.Add(1)
	deepMerge(result, layer)
}

//go:noinline
func describeStack(name string, merged config) [32]byte {
	nDescribe.Add(1)
	out, err := yaml.Marshal(merged)
	if err != nil {
		fail(err)
	}
	return sha256.Sum256(append([]byte(name+"\n"), out...))
}

//go:noinline
func processStack(catalog map[string]file, root, name string) [32]byte {
	nProcess.Add(1)
	stack := parseFile(name)
	merged := config{}
	for _, imp := range resolveImports(catalog, stack) {
		mergeInto(merged, catalog[imp].content)
	}
	mergeInto(merged, stack.content)
	return describeStack(strings.TrimPrefix(name, root+"/"), merged)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "stacks:", err)
	os.Exit(1)
}

func main() {
	dir := flag.String("dir", filepath.Join(os.TempDir(), "perfsh-stacks"), "where the generated tree lives")
	count := flag.Int("stacks", orgs*tenants*stages*len(regions), "how many stack files")
	workers := flag.Int("workers", 4, "goroutines describing stacks")
	rounds := flag.Int("rounds", 1, "how many times to describe every stack")
	pprofAddr := flag.String("pprof", "", "serve net/http/pprof on this address while running")
	flag.Parse()
	if *pprofAddr != "" {
		ln, err := net.Listen("tcp", *pprofAddr)
		if err != nil {
			fail(err)
		}
		fmt.Fprintf(os.Stderr, "stacks: pprof on http://%s/debug/pprof/\n", ln.Addr())
		go http.Serve(ln, nil)
	}
	root := filepath.Join(*dir, fmt.Sprintf("n%d", *count))
	if _, err := os.Stat(filepath.Join(root, ".complete")); err != nil {
		generateTree(root, *count)
	}

	// The catalog and mixins: every file once.
	catalog := map[string]file{}
	var names []string
	err := filepath.Walk(root, func(path string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() && strings.HasSuffix(path, ".yaml") {
			names = append(names, path)
		}
		return err
	})
	if err != nil {
		fail(err)
	}
	sort.Strings(names)
	var stacks []string
	for _, path := range names {
		rel := strings.TrimSuffix(strings.TrimPrefix(path, root+"/"), ".yaml")
		if strings.HasPrefix(rel, "orgs/") {
			stacks = append(stacks, path)
		} else {
			catalog[rel] = parseFile(path)
		}
	}

	// The stacks, over a pool of goroutines; digests combined in stack order.
	total := sha256.New()
	for round := 0; round < *rounds; round++ {
		digests := make([][32]byte, len(stacks))
		jobs := make(chan int)
		var wg sync.WaitGroup
		for w := 0; w < *workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range jobs {
					digests[i] = processStack(catalog, root, stacks[i])
				}
			}()
		}
		for i := range stacks {
			jobs <- i
		}
		close(jobs)
		wg.Wait()
		for _, d := range digests {
			total.Write(d[:])
		}
	}

	fmt.Printf("stacks: %d stacks, %d catalog files, digest %x\n", len(stacks), len(catalog), total.Sum(nil)[:8])
	fmt.Printf("calls: parseFile=%d processStack=%d resolveImports=%d collectImports=%d mergeInto=%d deepMerge=%d describeStack=%d\n",
		nParse.Load(), nProcess.Load(), nResolve.Load(), nCollect.Load(), nMerge.Load(), nDeep.Load(), nDescribe.Load())
}
