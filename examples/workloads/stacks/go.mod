module perfsh.example/stacks

go 1.19

require gopkg.in/yaml.v3 v3.0.1

// Built offline from Debian's golang-gopkg-yaml.v3-dev (scripts/build-examples installs it).
replace gopkg.in/yaml.v3 => /usr/share/gocode/src/gopkg.in/yaml.v3
