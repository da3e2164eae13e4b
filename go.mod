module goinit

go 1.26.0

require (
	github.com/creack/pty v1.1.24
	golang.org/x/sys v0.50.0
	gopkg.in/yaml.v3 v3.0.1
)
